// After an htmx swap, focus goes to the element the server marked data-take-focus: the
// row of the person just added to a call, or the button that took the place of the one
// pressed. Without it, the pressed button is swapped away and focus falls back to the
// page, so the next Tab starts again from the top (or the footer).
;(function () {
  'use strict'

  function takeFocus () {
    var target = document.querySelector('[data-take-focus]')
    if (!target) return
    target.removeAttribute('data-take-focus')
    if (!target.hasAttribute('tabindex') && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) {
      target.setAttribute('tabindex', '-1')
    }
    target.focus()
  }

  document.addEventListener('htmx:afterSettle', takeFocus)
})()

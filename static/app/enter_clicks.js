// Enter in a field inside an element marked data-enter-clicks="<button id>" presses that
// button, as a mouse click would ("Add household member"), instead of submitting the
// whole form with its first, hidden "Save and continue" button.
;(function () {
  'use strict'

  document.addEventListener('keydown', function (event) {
    if (event.key !== 'Enter' || event.defaultPrevented || event.isComposing) return
    var field = event.target
    if (!field || field.tagName !== 'INPUT') return
    if (/^(submit|button|reset|image|checkbox|radio)$/.test(field.type)) return
    var scope = field.closest('[data-enter-clicks]')
    if (!scope) return
    var button = document.getElementById(scope.getAttribute('data-enter-clicks'))
    if (!button) return
    event.preventDefault()
    button.click()
  })
})()

// Panels that refresh themselves (htmx polling: the dispatch board, the current
// intelligence on an incident page) replace what is in them, so a keyboard or
// screen-reader user on a link or button inside would lose their place: skip the
// refresh while focus is inside an element marked `data-pause-on-focus`; the next one
// after they leave it runs.
(function () {
  'use strict';
  document.body.addEventListener('htmx:beforeRequest', function (event) {
    var panel = event.detail.elt;
    if (!panel || !panel.hasAttribute || !panel.hasAttribute('data-pause-on-focus')) {
      return;
    }
    var active = document.activeElement;
    if (active && active !== panel && panel.contains(active)) {
      event.preventDefault();
    }
  });
})();

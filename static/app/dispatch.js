// The dispatch board refreshes itself (htmx, every 15 seconds). A refresh replaces the
// rows, so a keyboard or screen-reader user on a row's button would lose their place:
// skip the refresh while focus is inside the board; the next one after they leave it runs.
(function () {
  'use strict';
  document.body.addEventListener('htmx:beforeRequest', function (event) {
    var board = event.detail.elt;
    if (!board || !board.hasAttribute || !board.hasAttribute('data-dispatch-board')) {
      return;
    }
    var active = document.activeElement;
    if (active && active !== board && board.contains(active)) {
      event.preventDefault();
    }
  });
})();

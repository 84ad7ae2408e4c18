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

  // A refreshed panel that carries `data-live-announcement` says what is new once, in
  // the polite live region next to it, when that changes (not on every refresh).
  // What the page showed when it opened has been read already: not said again.
  var region = document.getElementById('live-intel-announce');
  var first = document.querySelector('[data-live-announcement]');
  if (region && first) {
    region.setAttribute('data-said', first.getAttribute('data-live-announcement'));
  }
  document.body.addEventListener('htmx:afterSwap', function (event) {
    var panel = event.detail.target;
    if (!panel || !panel.querySelector) {
      return;
    }
    var source = panel.querySelector('[data-live-announcement]');
    var region = document.getElementById('live-intel-announce');
    if (!source || !region || !panel.parentNode.contains(region)) {
      return;
    }
    var said = source.getAttribute('data-live-announcement');
    if (said && said !== region.getAttribute('data-said')) {
      region.textContent = said;
    }
    region.setAttribute('data-said', said);
  });
})();

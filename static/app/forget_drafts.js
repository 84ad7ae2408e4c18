// Forgets the copies of unsaved answers that draft.js keeps in localStorage ("draft:…")
// once nobody is signed in, so that a shared control-room computer does not keep a
// victim's details for the next person. A draft still survives a crash or a closed tab
// while its author is signed in.
//
// Every "draft:" key is removed:
//   - when a sign-out form (data-sign-out) is submitted, before the request leaves;
//   - on any page shown to someone not signed in (the body has data-signed-out): the
//     sign-in page after signing out or after the session timed out, here or in a tab
//     whose sign-out form could not run this script;
//   - by session.js when the idle timeout sends the page to the sign-in page
//     (window.dasappForgetDrafts).
;(function () {
  'use strict'

  var PREFIX = 'draft:'

  function forgetDrafts () {
    var storage
    try {
      storage = window.localStorage
      for (var i = storage.length - 1; i >= 0; i--) {
        var key = storage.key(i)
        if (key && key.indexOf(PREFIX) === 0) storage.removeItem(key)
      }
    } catch (e) {
      // Storage disabled or blocked: draft.js kept nothing there either.
    }
  }

  window.dasappForgetDrafts = forgetDrafts

  if (document.body && document.body.hasAttribute('data-signed-out')) forgetDrafts()

  document.addEventListener('submit', function (event) {
    var form = event.target
    if (form && form.hasAttribute && form.hasAttribute('data-sign-out')) forgetDrafts()
  }, true)
})()

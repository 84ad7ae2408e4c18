/*
 * Idle-session warning.
 *
 * The server signs a user out after SESSION_IDLE_TIMEOUT_SECONDS without a request
 * (dasapp/middleware.py). This counts down locally from the page load, re-syncs with
 * GET /account/session/ (which does not count as activity) now and then, because other
 * tabs may have kept the session alive, and shows the #session-timeout dialog
 * data-warning-seconds before the end. "Stay signed in" (or Escape) POSTs
 * /account/session/extend/; at zero the page goes to the sign-in page, which says why.
 * Tabs tell each other about activity through a BroadcastChannel.
 */
;(function () {
  'use strict'

  var dialog = document.getElementById('session-timeout')
  if (!dialog || !window.fetch) return

  var idleMs = Number(dialog.dataset.idleSeconds) * 1000
  var warningMs = Math.min(Number(dialog.dataset.warningSeconds) * 1000, idleMs)
  var statusUrl = dialog.dataset.statusUrl
  var extendUrl = dialog.dataset.extendUrl
  var signinUrl = dialog.dataset.signinUrl
  if (!(idleMs > 0) || !statusUrl || !extendUrl || !signinUrl) return

  var signinPath = new URL(signinUrl, window.location.href).pathname
  // Wait this long past the local deadline before asking the server, so that the server
  // (whose clock started a moment earlier) has certainly timed the session out.
  var GRACE_MS = 2000
  var SYNC_EVERY_MS = 120000
  var SYNC_EVERY_WHEN_OPEN_MS = 15000

  var countdown = dialog.querySelector('[data-countdown]')
  var countdownText = dialog.querySelector('[data-countdown-text]')
  var live = dialog.querySelector('[data-countdown-live]')
  var extendButton = dialog.querySelector('[data-session-extend]')
  var tokenInput = dialog.querySelector('input[name="csrfmiddlewaretoken"]')

  var deadline = Date.now() + idleMs
  var isOpen = false
  var busy = false
  var lastSync = Date.now()
  var lastAnnounced = ''
  var returnFocusTo = null
  var channel = 'BroadcastChannel' in window ? new BroadcastChannel('dasapp-session') : null

  function plural(n, word) {
    return n + ' ' + word + (n === 1 ? '' : 's')
  }

  /** "1 minute 30 seconds": the visible countdown. */
  function exact(ms) {
    var s = Math.max(0, Math.ceil(ms / 1000))
    var m = Math.floor(s / 60)
    var r = s % 60
    if (!m) return plural(r, 'second')
    return r ? plural(m, 'minute') + ' ' + plural(r, 'second') : plural(m, 'minute')
  }

  /** Coarse steps for screen readers, so that they are not told every second. */
  function coarse(ms) {
    var s = Math.max(0, Math.ceil(ms / 1000))
    if (s > 60) return plural(Math.ceil(s / 60), 'minute')
    if (s > 30) return '1 minute'
    if (s > 10) return '30 seconds'
    return plural(Math.min(s, 10), 'second')
  }

  function setDeadline(value, tellOthers) {
    deadline = value
    if (tellOthers && channel) channel.postMessage({ deadline: deadline })
  }

  function render() {
    var remaining = deadline - Date.now()
    if (countdown) countdown.textContent = exact(remaining)
    var text = coarse(remaining)
    if (countdownText) countdownText.textContent = text
    if (isOpen && live && text !== lastAnnounced) {
      lastAnnounced = text
      live.textContent = 'You will be signed out in ' + text + '.'
    }
  }

  function open() {
    if (isOpen) return
    isOpen = true
    returnFocusTo = document.activeElement
    lastAnnounced = coarse(deadline - Date.now()) // the dialog's description says this
    if (live) live.textContent = ''
    render()
    if (typeof dialog.showModal === 'function') {
      dialog.showModal()
    } else {
      dialog.setAttribute('open', '')
    }
    dialog.focus()
  }

  function close() {
    if (!isOpen) return
    isOpen = false
    if (typeof dialog.close === 'function' && dialog.open) {
      dialog.close()
    } else {
      dialog.removeAttribute('open')
    }
    if (live) live.textContent = ''
    if (returnFocusTo && document.contains(returnFocusTo) && returnFocusTo.focus) {
      returnFocusTo.focus()
    }
    returnFocusTo = null
  }

  function signInAgain() {
    window.clearInterval(timer)
    // Signed out: forget the unsaved answers kept on this device (forget_drafts.js).
    if (window.dasappForgetDrafts) window.dasappForgetDrafts()
    window.location.assign(signinUrl)
  }

  /** True when a response is the server sending us to the sign-in page. */
  function isSignIn(response) {
    return response.redirected && new URL(response.url).pathname === signinPath
  }

  /**
   * Ask the server how long is left. Resolves to "expired", "ok" or "unknown" (network
   * trouble or an unexpected answer: keep counting locally).
   */
  function sync() {
    lastSync = Date.now()
    return window
      .fetch(statusUrl, {
        credentials: 'same-origin',
        cache: 'no-store',
        headers: { Accept: 'application/json' }
      })
      .then(function (response) {
        if (isSignIn(response)) return 'expired'
        var type = response.headers.get('Content-Type') || ''
        if (!response.ok || type.indexOf('application/json') === -1) return 'unknown'
        return response.json().then(function (body) {
          var left = Number(body.seconds_left)
          if (!(left >= 0)) return 'unknown'
          // At 0 the server may not have timed out yet: the tick asks again after GRACE_MS.
          setDeadline(Date.now() + left * 1000, false)
          return 'ok'
        })
      })
      .catch(function () {
        return 'unknown'
      })
  }

  function extend() {
    if (busy) return
    busy = true
    if (extendButton) extendButton.disabled = true
    window
      .fetch(extendUrl, {
        method: 'POST',
        credentials: 'same-origin',
        cache: 'no-store',
        headers: {
          Accept: 'application/json',
          'X-CSRFToken': tokenInput ? tokenInput.value : '',
          // The extend view answers JSON (not a redirect) to htmx-style requests.
          'HX-Request': 'true'
        }
      })
      .then(function (response) {
        if (isSignIn(response)) {
          signInAgain()
          return
        }
        if (!response.ok) throw new Error('extend failed: ' + response.status)
        return response
          .json()
          .catch(function () {
            return {}
          })
          .then(function (body) {
            var left = Number(body.seconds_left)
            setDeadline(Date.now() + (left > 0 ? left * 1000 : idleMs), true)
            lastSync = Date.now()
            close()
          })
      })
      .catch(function () {
        if (live) live.textContent = 'We could not keep you signed in. Try again.'
      })
      .then(function () {
        busy = false
        if (extendButton) extendButton.disabled = false
      })
  }

  /** Re-sync with the server, then act on the answer. */
  function check(signInUnlessOk) {
    busy = true
    sync().then(function (result) {
      busy = false
      if (result === 'expired' || (signInUnlessOk && result !== 'ok')) {
        signInAgain()
      } else {
        tick()
      }
    })
  }

  function tick() {
    if (busy) return
    var now = Date.now()
    var remaining = deadline - now
    if (remaining <= -GRACE_MS) {
      check(true)
      return
    }
    if (remaining <= warningMs) {
      if (!isOpen && now - lastSync > 5000) {
        check(false) // another tab may have kept the session alive
        return
      }
      open()
      render()
    } else if (isOpen) {
      close()
    }
    if (now - lastSync > (isOpen ? SYNC_EVERY_WHEN_OPEN_MS : SYNC_EVERY_MS)) check(false)
  }

  // Keep focus inside the dialog while it is open.
  dialog.addEventListener('keydown', function (event) {
    if (event.key !== 'Tab') return
    var focusable = Array.prototype.filter.call(
      dialog.querySelectorAll('a[href], button:not([disabled]), input:not([type="hidden"]), select, textarea, [tabindex]:not([tabindex="-1"])'),
      function (el) {
        return el.offsetWidth > 0 || el.offsetHeight > 0 || el.getClientRects().length > 0
      }
    )
    if (!focusable.length) {
      event.preventDefault()
      return
    }
    var first = focusable[0]
    var last = focusable[focusable.length - 1]
    var active = document.activeElement
    if (event.shiftKey && (active === first || active === dialog)) {
      event.preventDefault()
      last.focus()
    } else if (!event.shiftKey && active === last) {
      event.preventDefault()
      first.focus()
    }
  })

  // Escape means "stay signed in", not "close and be signed out unawares".
  dialog.addEventListener('cancel', function (event) {
    event.preventDefault()
    extend()
  })
  dialog.addEventListener('close', function () {
    if (isOpen) {
      // Closed by the browser (for example a second Escape): keep the user signed in.
      isOpen = false
      extend()
    }
  })
  if (extendButton) extendButton.addEventListener('click', extend)

  // htmx requests in this tab are activity on the server too.
  document.addEventListener('htmx:afterRequest', function (event) {
    var xhr = event.detail && event.detail.xhr
    if (xhr && xhr.status > 0 && xhr.status < 500) setDeadline(Date.now() + idleMs, true)
  })

  if (channel) {
    channel.addEventListener('message', function (event) {
      var other = event.data && Number(event.data.deadline)
      if (other > deadline) {
        deadline = other
        tick()
      }
    })
    // This page load was activity: tell the other tabs.
    channel.postMessage({ deadline: deadline })
  }

  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'visible' && !busy) check(false)
  })

  render()
  var timer = window.setInterval(tick, 1000)
})()

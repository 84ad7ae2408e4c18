// Keeps the unsaved changes of a long autosaved form on this device, so that a lost
// connection loses nothing. Dependency-free; works with any htmx autosave form:
//
//   <form hx-post="…/autosave/" hx-trigger="input delay:800ms, change"
//         data-draft-key="dv1:42" data-draft-version="version"> … </form>
//
// data-draft-key      where the copy is kept (localStorage "draft:<key>")
// data-draft-version  the name of the form's hidden version input (default "version")
// data-draft-trigger  the event that makes the form autosave (default "change")
//
// Every field the user changes is copied to localStorage at once. When an autosave
// answers 2xx the copy is cleared. A network failure or a server error shows a warning
// banner; the autosave is retried when the browser comes back online. On page load,
// changes kept on the device that differ from the page are put back and saved, if they
// were made on the version the server still has; if someone saved a newer version since,
// the user chooses to restore or discard them. A 400 or 409 answer (a refused value, a
// conflicting change) is shown in the form's status area and the copy is kept.
// Any element with data-draft-clear="<key>" (a confirmation page) discards the copy.
// A field marked data-draft-ignore (a search box with its own request) is not kept.
;(function () {
  'use strict'

  var PREFIX = 'draft:'
  var OFFLINE =
    'Not saved: you seem to be offline. Your answers are kept on this device and will be ' +
    'saved when the connection returns.'
  var SERVER_ERROR =
    'Not saved: the system could not save your answers just now. Your answers are kept on ' +
    'this device and will be saved with your next change, or when you reload the page.'
  var NEWER =
    'This device has answers you gave that were not saved, and the form has been saved ' +
    'since (perhaps from another window or device). Restore your answers over the saved ' +
    'ones, or discard them.'
  var SKIP_TYPES = ['hidden', 'submit', 'button', 'reset', 'image', 'file', 'password']
  var SHOWN_AS_ERROR = [400, 409, 422]
  var MAX_PASSES = 3

  function getStorage () {
    try {
      var s = window.localStorage
      s.setItem(PREFIX + 'probe', '1')
      s.removeItem(PREFIX + 'probe')
      return s
    } catch (e) {
      return null
    }
  }

  var storage = getStorage()

  function tracked (el) {
    return !!(el && el.name && el.form && !el.disabled &&
      el.name !== 'csrfmiddlewaretoken' && SKIP_TYPES.indexOf(el.type) === -1 &&
      !el.hasAttribute('data-draft-ignore'))
  }

  function keyOf (el) {
    return el.type === 'checkbox' ? el.name + '=' + el.value : el.name
  }

  function entryOf (el) {
    if (el.type === 'checkbox') return { checked: el.checked }
    if (el.type === 'radio') {
      var checked = el.form.querySelector(
        'input[type=radio][name="' + cssEscape(el.name) + '"]:checked')
      return { value: checked ? checked.value : '' }
    }
    return { value: el.value }
  }

  function cssEscape (text) {
    return window.CSS && CSS.escape ? CSS.escape(text) : text.replace(/["\\]/g, '\\$&')
  }

  function Draft (form) {
    this.form = form
    this.key = PREFIX + form.getAttribute('data-draft-key')
    this.versionName = form.getAttribute('data-draft-version') || 'version'
    this.trigger = form.getAttribute('data-draft-trigger') || 'change'
    this.lastInput = 0
    this.requestStarted = 0
    this.pending = null
    this.passes = 0
    this.banner = null
  }

  Draft.prototype.version = function () {
    var el = this.form.elements[this.versionName]
    return el ? parseInt(el.value, 10) || 0 : 0
  }

  Draft.prototype.load = function () {
    if (!storage) return null
    try {
      var data = JSON.parse(storage.getItem(this.key) || 'null')
      return data && data.fields ? data : null
    } catch (e) {
      return null
    }
  }

  Draft.prototype.store = function (data) {
    if (!storage) return
    try {
      storage.setItem(this.key, JSON.stringify(data))
    } catch (e) {
      // Storage full or refused: the server copy is all we have.
    }
  }

  Draft.prototype.clear = function () {
    if (storage) storage.removeItem(this.key)
  }

  Draft.prototype.record = function (el) {
    var data = this.load() || { fields: {} }
    data.version = this.version()
    data.at = Date.now()
    data.fields[keyOf(el)] = entryOf(el)
    this.store(data)
  }

  // The elements an entry applies to, or null when the page does not have it (yet).
  Draft.prototype.find = function (key) {
    var form = this.form
    var eq = key.indexOf('=')
    var byName = form.querySelectorAll('[name="' + cssEscape(key) + '"]')
    for (var i = 0; i < byName.length; i++) {
      if (tracked(byName[i]) && byName[i].type !== 'checkbox') return byName[i]
    }
    if (eq > 0) {
      var boxes = form.querySelectorAll(
        'input[type=checkbox][name="' + cssEscape(key.slice(0, eq)) + '"]')
      for (var j = 0; j < boxes.length; j++) {
        if (boxes[j].value === key.slice(eq + 1)) return boxes[j]
      }
    }
    return null
  }

  Draft.prototype.differs = function (el, entry) {
    if (el.type === 'checkbox') return el.checked !== !!entry.checked
    return entryOf(el).value !== entry.value
  }

  Draft.prototype.put = function (el, entry) {
    if (el.type === 'checkbox') {
      el.checked = !!entry.checked
    } else if (el.type === 'radio') {
      var radios = this.form.querySelectorAll(
        'input[type=radio][name="' + cssEscape(el.name) + '"]')
      for (var i = 0; i < radios.length; i++) radios[i].checked = radios[i].value === entry.value
    } else {
      el.value = entry.value
    }
  }

  // Fields kept on the device that differ from the page (or are not on it yet).
  Draft.prototype.unsaved = function (fields) {
    var out = {}
    var count = 0
    for (var key in fields) {
      if (!Object.prototype.hasOwnProperty.call(fields, key)) continue
      var el = this.find(key)
      if (!el || this.differs(el, fields[key])) {
        out[key] = fields[key]
        count++
      }
    }
    return count ? out : null
  }

  // Put values back; those whose field is not on the page yet (a section that opens
  // from another answer) wait for the next successful save.
  Draft.prototype.apply = function (fields) {
    var waiting = {}
    var applied = 0
    var left = 0
    for (var key in fields) {
      if (!Object.prototype.hasOwnProperty.call(fields, key)) continue
      var el = this.find(key)
      if (el) {
        this.put(el, fields[key])
        applied++
      } else {
        waiting[key] = fields[key]
        left++
      }
    }
    this.pending = left ? waiting : null
    // GOV.UK Frontend re-syncs conditional reveals on pageshow.
    if (applied) window.dispatchEvent(new Event('pageshow'))
    return applied
  }

  Draft.prototype.autosave = function () {
    this.form.dispatchEvent(new Event(this.trigger, { bubbles: true }))
  }

  Draft.prototype.ensureBanner = function () {
    if (this.banner) return this.banner
    var id = 'draft-banner-' + this.key.replace(/[^a-z0-9]+/gi, '-')
    var banner = document.createElement('div')
    banner.className = 'govuk-notification-banner app-draft-banner'
    banner.setAttribute('role', 'alert')
    banner.setAttribute('aria-labelledby', id + '-title')
    banner.setAttribute('data-testid', 'draft-banner')
    banner.hidden = true
    var header = document.createElement('div')
    header.className = 'govuk-notification-banner__header'
    var title = document.createElement('h2')
    title.className = 'govuk-notification-banner__title'
    title.id = id + '-title'
    title.textContent = 'Important'
    header.appendChild(title)
    var content = document.createElement('div')
    content.className = 'govuk-notification-banner__content'
    var message = document.createElement('p')
    message.className = 'govuk-notification-banner__heading'
    content.appendChild(message)
    var actions = document.createElement('div')
    actions.className = 'govuk-button-group govuk-!-margin-bottom-0'
    content.appendChild(actions)
    banner.appendChild(header)
    banner.appendChild(content)
    this.form.parentNode.insertBefore(banner, this.form)
    this.banner = { root: banner, message: message, actions: actions }
    return this.banner
  }

  Draft.prototype.warn = function (text, buttons) {
    var b = this.ensureBanner()
    b.actions.textContent = ''
    ;(buttons || []).forEach(function (spec) {
      var button = document.createElement('button')
      button.type = 'button'
      button.className = 'govuk-button' + (spec.secondary ? ' govuk-button--secondary' : '')
      button.textContent = spec.label
      button.addEventListener('click', spec.action)
      b.actions.appendChild(button)
    })
    b.actions.hidden = !(buttons && buttons.length)
    b.root.hidden = false
    b.message.textContent = text
  }

  Draft.prototype.unwarn = function () {
    if (this.banner) this.banner.root.hidden = true
  }

  Draft.prototype.ours = function (event) {
    var elt = event.detail && event.detail.elt
    return !!elt && (elt === this.form || this.form.contains(elt))
  }

  Draft.prototype.restoreOnLoad = function () {
    var data = this.load()
    if (!data) return
    var fields = this.unsaved(data.fields)
    if (!fields) {
      this.clear()
      return
    }
    var self = this
    if ((data.version || 0) >= this.version()) {
      this.apply(fields)
      this.autosave()
      return
    }
    this.warn(NEWER, [
      {
        label: 'Restore my answers',
        action: function () {
          self.store({ version: self.version(), at: Date.now(), fields: fields })
          self.apply(fields)
          self.unwarn()
          self.autosave()
        }
      },
      {
        label: 'Discard them',
        secondary: true,
        action: function () {
          self.clear()
          self.unwarn()
        }
      }
    ])
  }

  Draft.prototype.start = function () {
    var self = this
    var form = this.form
    function onEdit (event) {
      if (!tracked(event.target)) return
      self.lastInput = Date.now()
      self.record(event.target)
    }
    form.addEventListener('input', onEdit)
    form.addEventListener('change', onEdit)

    // Once the form itself is submitted (e.g. "Log call and grade"), a save still waiting
    // for a pause in typing is not sent: the submission carries everything typed.
    form.addEventListener('submit', function (event) {
      self.submitting = true
      // A submission stopped by other script leaves the page as it was: save again.
      window.setTimeout(function () { if (event.defaultPrevented) self.submitting = false }, 0)
    })
    window.addEventListener('pageshow', function () { self.submitting = false })
    document.body.addEventListener('htmx:beforeRequest', function (event) {
      if (!self.ours(event)) return
      if (self.submitting) {
        event.preventDefault()
        return
      }
      self.requestStarted = Date.now()
    })
    document.body.addEventListener('htmx:beforeSwap', function (event) {
      if (!self.ours(event)) return
      if (SHOWN_AS_ERROR.indexOf(event.detail.xhr.status) !== -1) {
        // The server explains in the status area; the device copy stays.
        event.detail.shouldSwap = true
        event.detail.isError = false
      }
    })
    document.body.addEventListener('htmx:afterRequest', function (event) {
      if (!self.ours(event)) return
      var status = event.detail.xhr ? event.detail.xhr.status : 0
      if (status < 200 || status >= 300) {
        if (SHOWN_AS_ERROR.indexOf(status) !== -1) self.unwarn()
        return
      }
      self.unwarn()
      if (self.pending && self.passes < MAX_PASSES) {
        self.passes++
        if (self.apply(self.pending)) {
          self.autosave()
          return
        }
      }
      var data = self.load()
      if (self.lastInput > self.requestStarted && data) {
        // Typed while the save was on its way: keep those, now on the new version.
        data.version = self.version()
        self.store(data)
      } else {
        self.clear()
      }
    })
    document.body.addEventListener('htmx:sendError', function (event) {
      if (self.ours(event)) self.warn(OFFLINE)
    })
    document.body.addEventListener('htmx:responseError', function (event) {
      if (self.ours(event)) self.warn(SERVER_ERROR)
    })
    window.addEventListener('online', function () {
      if (self.load()) self.autosave()
    })
    this.restoreOnLoad()
  }

  function init () {
    var clear = document.querySelectorAll('[data-draft-clear]')
    for (var i = 0; i < clear.length; i++) {
      if (storage) storage.removeItem(PREFIX + clear[i].getAttribute('data-draft-clear'))
    }
    var forms = document.querySelectorAll('form[data-draft-key]')
    for (var j = 0; j < forms.length; j++) new Draft(forms[j]).start()
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init)
  } else {
    init()
  }
})()

// The safety-plan owner picker: a search box enhanced into an ARIA combobox (WAI-ARIA
// Authoring Practices, "combobox with listbox popup"). htmx fills the listbox with the
// people and teams found as you type; Down and Up move through them, Enter or a click
// chooses one (filling the hidden `owner` or `owner_team`), Escape closes the list.
// Without JavaScript the search box is a plain text input and the server offers the
// people and teams found when the form is sent.
(function () {
  'use strict'

  function enhance (picker) {
    const input = picker.querySelector('[data-owner-search]')
    const listbox = picker.querySelector('[data-owner-options]')
    const person = picker.querySelector('[data-owner-person]')
    const team = picker.querySelector('[data-owner-team]')
    const chosen = picker.querySelector('[data-owner-chosen]')
    const status = picker.querySelector('[data-owner-status]')
    if (!input || !listbox || !person || !team) return
    let active = -1

    input.setAttribute('role', 'combobox')
    input.setAttribute('aria-autocomplete', 'list')
    input.setAttribute('aria-expanded', 'false')
    input.setAttribute('aria-controls', listbox.id)

    const options = () => Array.from(listbox.querySelectorAll('[role="option"]'))

    function setActive (index) {
      const all = options()
      all.forEach((option, i) => {
        const on = i === index
        option.setAttribute('aria-selected', on ? 'true' : 'false')
        option.classList.toggle('app-owner-picker__option--active', on)
      })
      active = index
      if (index >= 0 && all[index]) {
        input.setAttribute('aria-activedescendant', all[index].id)
        all[index].scrollIntoView({ block: 'nearest' })
      } else {
        input.removeAttribute('aria-activedescendant')
      }
    }

    function close () {
      listbox.hidden = true
      input.setAttribute('aria-expanded', 'false')
      setActive(-1)
    }

    function open () {
      if (!options().length) return close()
      listbox.hidden = false
      input.setAttribute('aria-expanded', 'true')
    }

    function choose (option) {
      const [kind, pk] = (option.dataset.value || '').split(':')
      person.value = kind === 'person' ? pk : ''
      team.value = kind === 'team' ? pk : ''
      input.value = option.dataset.name || ''
      const words = option.textContent.replace(/\s+/g, ' ').trim()
      if (chosen) chosen.textContent = `Chosen: ${words}`
      if (status) status.textContent = `Chosen: ${words}`
      close()
      input.focus()
    }

    input.addEventListener('input', () => {
      // Typing again undoes the choice: only a name chosen from the list is sent.
      person.value = ''
      team.value = ''
      if (chosen) chosen.textContent = ''
      if (input.value.trim().length < 2) {
        listbox.replaceChildren()
        close()
      }
    })

    input.addEventListener('keydown', (event) => {
      const all = options()
      if (event.key === 'ArrowDown') {
        event.preventDefault()
        if (listbox.hidden) open()
        if (all.length) setActive(active < all.length - 1 ? active + 1 : 0)
      } else if (event.key === 'ArrowUp') {
        event.preventDefault()
        if (listbox.hidden) open()
        if (all.length) setActive(active > 0 ? active - 1 : all.length - 1)
      } else if (event.key === 'Enter') {
        if (!listbox.hidden && active >= 0 && all[active]) {
          event.preventDefault() // choose, do not send the form
          choose(all[active])
        }
      } else if (event.key === 'Escape') {
        if (!listbox.hidden) {
          event.preventDefault()
          close()
        }
      }
    })

    input.addEventListener('blur', () => {
      // Let a click on an option land first.
      window.setTimeout(() => { if (document.activeElement !== input) close() }, 200)
    })

    listbox.addEventListener('mousedown', (event) => event.preventDefault())
    listbox.addEventListener('click', (event) => {
      const option = event.target.closest('[role="option"]')
      if (option) choose(option)
    })

    // A name typed before htmx was listening is searched for once it is: htmx takes
    // that text as the field's starting value, so typing it raised no "changed" input.
    window.addEventListener('load', () => {
      if (document.activeElement === input && input.value.trim().length >= 2 &&
          !person.value && !team.value && !options().length) {
        input.dispatchEvent(new Event('owner-search'))
      }
    })

    listbox.addEventListener('htmx:afterSwap', () => {
      options().forEach((option, i) => { option.id = `${listbox.id}-${i}` })
      const count = options().length
      setActive(-1)
      if (input.value.trim().length < 2) return close()
      open()
      if (status) {
        status.textContent = count
          ? `${count} ${count === 1 ? 'match' : 'matches'}: use the up and down arrows to choose`
          : 'Nobody who may own an action matches: check the spelling, or search for their team'
      }
    })
  }

  document.querySelectorAll('[data-owner-picker]').forEach(enhance)
})()

// Start GOV.UK Frontend and MOJ Frontend components (both are ES modules, vendored by
// scripts/build_assets.sh), and again inside content that htmx swaps in.
import { initAll as govukInitAll } from '../vendor/govuk/govuk-frontend.min.js'
import { initAll as mojInitAll } from '../vendor/moj/moj-frontend.min.js'

govukInitAll()
mojInitAll()

document.body.addEventListener('htmx:load', (event) => {
  const scope = event.detail && event.detail.elt
  if (!(scope instanceof Element) || scope === document.body) return
  govukInitAll({ scope })
  mojInitAll(scope)
})

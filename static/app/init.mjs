import { initAll as govukInitAll } from '../vendor/govuk/govuk-frontend.min.js'
import { initAll as mojInitAll } from '../vendor/moj/moj-frontend.min.js'

govukInitAll()
mojInitAll()

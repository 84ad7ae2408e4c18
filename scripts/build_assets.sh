#!/usr/bin/env bash
# Rebuild the vendored front-end files in static/vendor/ from the npm registry.
#
# The output is committed: the application needs no Node at run time. Run this only to
# upgrade GOV.UK Frontend, MOJ Frontend or htmx, then review the diff and commit it.
#
#   scripts/build_assets.sh            # build in a fresh /tmp directory
#   BUILD_DIR=/tmp/fe scripts/build_assets.sh   # reuse an npm install
#
# What it does, and why (docs/stack.md, "Pitfalls"):
# - compiles GOV.UK Frontend and MOJ Frontend Sass with the system font stack: this is
#   not a GOV.UK service, so no GDS Transport font and no crown or crest;
# - asset URLs are relative (url(assets/...)) and only the images the CSS refers to are
#   copied beside it;
# - no sourceMappingURL comments (collectstatic with manifest storage fails on missing maps).
set -euo pipefail

GOVUK_FRONTEND_VERSION=6.6.0
MOJ_FRONTEND_VERSION=11.1.0
HTMX_VERSION=2.0.11
SASS_VERSION=1.108.2
FONT_STACK='system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENDOR="$ROOT/static/vendor"
BUILD_DIR="${BUILD_DIR:-$(mktemp -d /tmp/dasapp-assets.XXXXXX)}"
echo "Building in $BUILD_DIR"
mkdir -p "$BUILD_DIR"
cd "$BUILD_DIR"

[ -f package.json ] || npm init -y >/dev/null
npm install --no-audit --no-fund --ignore-scripts --save-exact \
  "govuk-frontend@$GOVUK_FRONTEND_VERSION" \
  "@ministryofjustice/frontend@$MOJ_FRONTEND_VERSION" \
  "htmx.org@$HTMX_VERSION" \
  "sass@$SASS_VERSION" >/dev/null

mkdir -p scss out/govuk out/moj out/htmx

# Images resolve beside the CSS; the GOV.UK crest (footer copyright logo) is dropped.
cat >scss/_urls.scss <<'EOF'
@function image-url($filename) {
  @if $filename == "govuk-crest.svg" {
    @return none;
  }
  @return url("assets/images/#{$filename}");
}
EOF

cat >scss/govuk.scss <<EOF
@use "sass:meta";
@use "urls";
@use "pkg:govuk-frontend" with (
  \$govuk-font-family: ($FONT_STACK),
  \$govuk-include-default-font-face: false,
  \$govuk-assets-path: "assets/",
  \$govuk-image-url-function: meta.get-function("image-url", \$module: "urls")
);
EOF

cat >scss/moj.scss <<EOF
@use "pkg:@ministryofjustice/frontend" with (
  \$moj-font-family: ($FONT_STACK),
  \$moj-assets-path: "assets/"
);
EOF

sass() {
  node_modules/.bin/sass --pkg-importer=node --load-path=. --load-path=scss \
    --style=compressed --no-source-map --quiet-deps "$@"
}
sass scss/govuk.scss out/govuk/govuk-frontend.min.css
sass scss/moj.scss out/moj/moj-frontend.min.css

strip_map() { sed -e 's#//\# sourceMappingURL=[^ ]*$##' -e 's#/\*\# sourceMappingURL=[^*]*\*/##' "$1"; }
strip_map node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js >out/govuk/govuk-frontend.min.js
strip_map node_modules/@ministryofjustice/frontend/moj/moj-frontend.min.js >out/moj/moj-frontend.min.js
strip_map node_modules/htmx.org/dist/htmx.min.js >out/htmx/htmx.min.js

# Copy exactly the images each stylesheet refers to.
copy_assets() { # $1 = out dir, $2 = package assets dir
  local url
  for url in $(grep -o 'url([^)]*)' "$1"/*.css | sed -e 's/^url(//' -e 's/)$//' -e 's/"//g' | sort -u); do
    case "$url" in
      data:*) continue ;;
      assets/images/*) ;;
      *) echo "Unexpected URL in $1: $url" >&2; exit 1 ;;
    esac
    mkdir -p "$1/$(dirname "$url")"
    cp "$2/${url#assets/}" "$1/$url"
  done
}
copy_assets out/govuk node_modules/govuk-frontend/dist/govuk/assets
copy_assets out/moj node_modules/@ministryofjustice/frontend/moj/assets

# Checks: fail rather than vendor something we must not ship.
if grep -rl 'GDS Transport\|@font-face\|sourceMappingURL\|url(/\|govuk-crest' out; then
  echo "Build output still refers to GDS Transport, fonts, source maps, absolute URLs or the crest" >&2
  exit 1
fi
grep -q 'export{[^}]*initAll' out/govuk/govuk-frontend.min.js
grep -q 'export{[^}]*initAll' out/moj/moj-frontend.min.js

rm -rf "$VENDOR/govuk" "$VENDOR/moj" "$VENDOR/htmx"
mkdir -p "$VENDOR"
cp -r out/govuk out/moj out/htmx "$VENDOR/"
cat >"$VENDOR/README.md" <<EOF
# Vendored front-end files

Built by \`scripts/build_assets.sh\`; do not edit by hand.

| package | version | licence |
| --- | --- | --- |
| govuk-frontend | $GOVUK_FRONTEND_VERSION | MIT |
| @ministryofjustice/frontend | $MOJ_FRONTEND_VERSION | MIT |
| htmx.org | $HTMX_VERSION | 0BSD |

CSS compiled from Sass with the system font stack (no GDS Transport, no crown or crest),
relative \`assets/\` URLs and only the images the CSS uses. JavaScript is the packages'
minified ES modules (htmx: the browser build) without source-map comments.
EOF
echo "Vendored into $VENDOR:"
(cd "$VENDOR" && find . -type f | sort | xargs ls -l | awk '{print $5, $9}')

#!/usr/bin/env bash
# Copy the web UI's front-end packages from the npm registry into src/kefu/web/static/vendor.
# Installs from package-lock.json (`npm ci`) only when node_modules is missing or was installed
# from another lockfile, so repeated `make install` runs stay offline and fast. No bundler, no CDN.
set -euo pipefail
cd "$(dirname "$0")/.."

VENDOR=src/kefu/web/static/vendor
STAMP=node_modules/.kefu-lock.sha256

command -v npm >/dev/null || { echo "vendor-assets: npm is required (apt-get install npm)" >&2; exit 1; }

lock_sum="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ ! -f "$STAMP" || "$(cat "$STAMP")" != "$lock_sum" ]]; then
    npm ci --no-audit --no-fund
    echo "$lock_sum" > "$STAMP"
fi

# source-in-node_modules:target-in-vendor
FILES=(
    "htmx.org/dist/htmx.min.js:htmx.min.js"
    "htmx.org/LICENSE:htmx.LICENSE"
    "echarts/dist/echarts.min.js:echarts.min.js"
    "echarts/LICENSE:echarts.LICENSE"
    "echarts/NOTICE:echarts.NOTICE"
)

mkdir -p "$VENDOR"
for pair in "${FILES[@]}"; do
    source="node_modules/${pair%%:*}"
    target="$VENDOR/${pair##*:}"
    [[ -f "$source" ]] || { echo "vendor-assets: $source is missing after npm ci" >&2; exit 1; }
    cp "$source" "$target"
done
echo "vendor-assets: htmx $(node -p "require('./node_modules/htmx.org/package.json').version"), echarts $(node -p "require('./node_modules/echarts/package.json').version") -> $VENDOR"

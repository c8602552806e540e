#!/usr/bin/env bash
# The main job in one command, on a fresh clone: install what is missing, prepare the bundled reference
# app (Python virtualenv + Next.js build), boot it on loopback, audit it, stop it.
# Arguments go to `authproof reference` (e.g. --mode shared-secret --flaws alg-none,list-leak).
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || [ -n "${AUTHPROOF_CHROMIUM:-}" ] ||
  echo "note: no Chromium found; browser checks will be skipped (Debian: apt-get install -y chromium)" >&2
npm run --silent setup
exec node bin/authproof.js reference "$@"

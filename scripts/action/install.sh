#!/usr/bin/env bash
# Step "install" of action.yml: installs authproof ($AUTHPROOF_PACKAGE, any npm spec: authproof@0.1, a
# tarball, a git URL) into a directory of its own under $RUNNER_TEMP and outputs the path of its bin.
set -euo pipefail
prefix="${RUNNER_TEMP:-/tmp}/authproof-action"
mkdir -p "$prefix"
[ -f "$prefix/package.json" ] || echo '{ "private": true }' > "$prefix/package.json"
# No install scripts: the audit needs none (better-sqlite3 only serves `authproof issuer`).
# shellcheck disable=SC2086 # AUTHPROOF_NPM_FLAGS is a list of flags
npm install --prefix "$prefix" --no-audit --no-fund --ignore-scripts ${AUTHPROOF_NPM_FLAGS:-} "$AUTHPROOF_PACKAGE"
echo "bin=$prefix/node_modules/.bin/authproof" >> "$GITHUB_OUTPUT"

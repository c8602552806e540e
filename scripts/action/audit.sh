#!/usr/bin/env bash
# Step "audit" of action.yml: runs `authproof audit` with the action's inputs (INPUT_* variables; secrets such
# as BETTER_AUTH_SECRET or AUTHPROOF_PRIVATE_JWK come from the workflow's env). It never fails the step itself,
# so the reports are uploaded either way: the exit code goes to the step outputs and the last step uses it.
set -uo pipefail
args=(audit --out "${INPUT_OUT:-authproof-reports}")
add() { if [ -n "$2" ]; then args+=("$1" "$2"); fi; }
add --config "${INPUT_CONFIG:-}"
add --api "${INPUT_API_URL:-}"
add --auth "${INPUT_AUTH_URL:-}"
add --mode "${INPUT_MODE:-}"
add --only "${INPUT_ONLY:-}"
add --skip "${INPUT_SKIP:-}"
add --fail-on "${INPUT_FAIL_ON:-}"
add --baseline "${INPUT_BASELINE:-}"
add --ignore-file "${INPUT_IGNORE_FILE:-}"
if [ "${INPUT_FAIL_ON_NEW:-false}" = "true" ]; then args+=(--fail-on-new); fi

"$AUTHPROOF_BIN" "${args[@]}"
code=$?
dir="${INPUT_OUT:-authproof-reports}/latest"
echo "exit-code=$code" >> "$GITHUB_OUTPUT"
if [ -f "$dir/report.json" ]; then
  echo "report-dir=$dir" >> "$GITHUB_OUTPUT"
  if [ -f "$dir/results.sarif" ]; then echo "sarif=$dir/results.sarif" >> "$GITHUB_OUTPUT"; fi
else
  echo "::error title=authproof::the audit wrote no report (exit code $code); see the log above"
fi
exit 0

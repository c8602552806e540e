#!/usr/bin/env bash
# Step "summary" of action.yml: the job summary ($GITHUB_STEP_SUMMARY: verdict, counts, top findings) and the
# ::error / ::warning annotations, from the report the audit wrote.
set -uo pipefail
if [ -z "${REPORT_DIR:-}" ]; then
  echo "authproof: no report to summarise" >> "$GITHUB_STEP_SUMMARY"
  exit 0
fi
# Its exit code repeats the audit's verdict; the last step of the action decides.
"$AUTHPROOF_BIN" report "$REPORT_DIR/report.json" --github || true

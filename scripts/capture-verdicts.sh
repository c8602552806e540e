#!/usr/bin/env bash
# Captures the verdicts (result id → status) of `authproof reference --seed 42`, secure and with each seeded
# flaw, in every mode the flaw applies to: one JSON map per run in <out-dir>. Compare two captures with
# scripts/compare-verdicts.mjs. Usage: scripts/capture-verdicts.sh <repo-dir> <out-dir>
cd "$1"; out="$2"; mkdir -p "$out"
run() { # mode flaw
  local mode=$1 flaw=$2 name="$1-${2:-secure}"
  local dir=$(mktemp -d)
  local args=(reference --mode "$mode" --seed 42 --reporter json --out "$dir" --fail-on low)
  [ -n "$flaw" ] && args+=(--flaws "$flaw")
  env -u NODE_ENV CI=true node bin/authproof.js "${args[@]}" > "$out/$name.log" 2>&1; echo "$?" > "$out/$name.rc"
  node -e 'const r=require(process.argv[1]); const m={}; for (const x of r.results) m[x.id]=x.status; console.log(JSON.stringify(m,Object.keys(m).sort(),1))' "$dir/latest/report.json" > "$out/$name.json" 2>/dev/null
  rm -rf "$dir"
}
jobs=()
for mode in jwks shared-secret; do
  echo "$mode:"; echo
  for flaw in "" $(node -e 'for (const f of require("./reference-app/flaws.json").flaws) if (f.modes.includes(process.argv[1])) console.log(f.name)' $mode); do
    run $mode "$flaw" &
    while [ $(jobs -r | wc -l) -ge 2 ]; do sleep 1; done
  done
done
wait

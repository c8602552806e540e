// Compares two verdict snapshots written by scripts/capture-verdicts.sh (one JSON map of result id → status per
// reference-app run: mode × seeded flaw). Prints every result whose status differs, and exits 1 if any does.
// Usage: node scripts/compare-verdicts.mjs <before-dir> <after-dir> [--except checkId,…]
// --except leaves out the results of checks that did not exist before (they can only be "absent → …").
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

const args = process.argv.slice(2);
const exceptAt = args.indexOf("--except");
const excepted = exceptAt >= 0 ? (args.splice(exceptAt, 2)[1] ?? "").split(",").filter(Boolean) : [];
const [before, after] = args;
if (!before || !after) {
  console.error("usage: node scripts/compare-verdicts.mjs <before-dir> <after-dir>");
  process.exit(2);
}
const read = (file) => JSON.parse(readFileSync(file, "utf8"));
let runs = 0;
let results = 0;
const differences = [];
for (const name of readdirSync(before).filter((f) => f.endsWith(".json")).sort()) {
  const other = path.join(after, name);
  if (!existsSync(other)) {
    differences.push(`${name}: missing from ${after}`);
    continue;
  }
  const a = read(path.join(before, name));
  const b = read(other);
  runs += 1;
  for (const id of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (excepted.some((checkId) => id === checkId || id.startsWith(`${checkId} `))) continue;
    results += 1;
    if (a[id] !== b[id]) differences.push(`${name.replace(/\.json$/, "")}: ${id}: ${a[id] ?? "absent"} → ${b[id] ?? "absent"}`);
  }
}
for (const line of differences) console.log(line);
console.log(`${runs} runs, ${results} result ids compared${excepted.length ? ` (without ${excepted.join(", ")})` : ""}, ${differences.length} differences`);
process.exit(differences.length > 0 ? 1 : 0);

// `npm run build` (and `npm pack`, through prepack): compiles src/ and suites/ to dist/ with tsc
// (dist/src/**, dist/suites/*.suite.js) and copies the data files the code reads at run time
// (dictionaries, the attacker's x5u certificate and key) next to the compiled modules that read them.
import { execFileSync } from "node:child_process";
import { chmodSync, cpSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dist = path.join(root, "dist");
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, "-p", path.join(root, "tsconfig.build.json")], { cwd: root, stdio: "inherit" });

const DATA = /\.(txt|pem|json)$/;
for (const dir of ["src/data"]) {
  for (const name of readdirSync(path.join(root, dir)).filter((n) => DATA.test(n))) {
    cpSync(path.join(root, dir, name), path.join(dist, dir, name));
  }
}
chmodSync(path.join(dist, "src", "cli", "main.js"), 0o755);
console.log(`built ${path.relative(process.cwd(), dist) || "dist"}/`);

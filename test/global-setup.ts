import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { CLI, REPO_ROOT } from "./helpers/cli.ts";

// The CLI tests run the compiled CLI (see CLI): build dist/ first when it is missing or older than anything it is
// built from, so a test never runs stale code.
const SOURCES = ["src", "suites", "playwright.config.ts", "tsconfig.json", "tsconfig.build.json", "scripts/build.mjs", "package.json"];

function newestMtime(entry: string): number {
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(entry).map((name) => newestMtime(path.join(entry, name))));
}

export default function buildWhenStale(): void {
  const built = existsSync(CLI) ? statSync(CLI).mtimeMs : 0;
  const sources = Math.max(...SOURCES.map((entry) => newestMtime(path.join(REPO_ROOT, entry))));
  if (built >= sources) return;
  execFileSync(process.execPath, [path.join(REPO_ROOT, "scripts", "build.mjs")], { cwd: REPO_ROOT, stdio: "inherit" });
}

// `npm test`, before vitest: the type check, the import rules, the reference app's setup and the build of dist/
// (which the CLI tests run) at once. They are independent and each single-threaded, so on two cores this takes
// as long as the slowest (the type check) instead of their sum. Each one's output is printed when it ends; the
// first failure fails the step, after all have ended.
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => path.join(root, "node_modules", ".bin", name);
const node = process.execPath;

const steps = [
  ["typecheck", bin("tsc"), ["--noEmit"]],
  ["import rules", bin("depcruise"), ["src", "suites"]],
  ["reference app setup", node, ["--import", "tsx", path.join(root, "scripts", "setup.ts")]],
  ["build", node, [path.join(root, "scripts", "build.mjs")]],
];

function run([name, command, args]) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    // A command that cannot start emits "error", then "close" with a negative code: its message is printed there.
    child.on("error", (error) => (output += `${error.message}\n`));
    child.on("close", (code) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      process.stdout.write(`${code === 0 ? "ok" : "FAILED"}: ${name} (${seconds} s)\n${output.trimEnd() ? `${output.trimEnd()}\n` : ""}`);
      resolve({ name, ok: code === 0 });
    });
  });
}

const results = await Promise.all(steps.map(run));
const failed = results.filter((r) => !r.ok).map((r) => r.name);
if (failed.length) {
  console.error(`npm test: ${failed.join(", ")} failed`);
  process.exit(1);
}

import path from "node:path";
import { fileURLToPath } from "node:url";

/** Absolute paths of the bundled reference app, resolved from this file (works from any cwd). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const referenceRoot = path.join(repoRoot, "reference-app");
export const frontendDir = path.join(referenceRoot, "frontend");
export const backendDir = path.join(referenceRoot, "backend");
export const flawsFile = path.join(referenceRoot, "flaws.json");
export const venvDir = path.join(backendDir, ".venv");
export const venvPython = path.join(venvDir, "bin", "python");
export const nextBin = path.join(repoRoot, "node_modules", "next", "dist", "bin", "next");

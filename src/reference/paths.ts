import { existsSync } from "node:fs";
import path from "node:path";
import { PACKAGE_ROOT, packageInfo } from "../package.ts";

/**
 * Absolute paths of the bundled reference app, resolved from the package root (works from any cwd, from
 * source and from dist/ inside the repository). The reference app is not part of the published package.
 */
export const repoRoot = PACKAGE_ROOT;
export const referenceRoot = path.join(repoRoot, "reference-app");
export const frontendDir = path.join(referenceRoot, "frontend");
export const backendDir = path.join(referenceRoot, "backend");
export const flawsFile = path.join(referenceRoot, "flaws.json");
export const venvDir = path.join(backendDir, ".venv");
export const venvPython = path.join(venvDir, "bin", "python");
export const nextBin = path.join(repoRoot, "node_modules", "next", "dist", "bin", "next");

/** Whether the reference app is here (a clone of the repository), not in an installed package. */
export function referenceAppPresent(): boolean {
  return existsSync(flawsFile) && existsSync(frontendDir) && existsSync(backendDir);
}

/** What to tell someone who runs `authproof reference` from an installed package. */
export function referenceAppMissing(): string {
  const { repositoryUrl } = packageInfo();
  return (
    `the reference app is not part of the installed package; it lives in the repository: ` +
    `git clone ${repositoryUrl} && cd authproof && npm run audit:reference`
  );
}

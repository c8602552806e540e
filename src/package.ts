import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Where authproof runs from. From source (the repository, through tsx or vitest) the code root is the
 * repository and the suites are `suites/*.suite.ts`; from the compiled package the code root is `dist/`
 * (`dist/src/**`, `dist/suites/*.suite.js`) and the package root, with package.json, is its parent.
 */
const here = fileURLToPath(import.meta.url);

/** Whether this is the compiled package (dist/src/*.js) rather than the TypeScript sources. */
export const COMPILED = here.endsWith(".js");

/** The directory holding src/ and suites/: the repository, or dist/ in the compiled package. */
export const CODE_ROOT = dirname(dirname(here));

/** The directory holding package.json: the repository, or the installed package (node_modules/authproof). */
export const PACKAGE_ROOT = COMPILED && !existsSync(join(CODE_ROOT, "package.json")) ? dirname(CODE_ROOT) : CODE_ROOT;

/** The extension of the files the code root holds (`ts` from source, `js` compiled). */
export const CODE_EXTENSION = COMPILED ? "js" : "ts";

export interface PackageInfo {
  name: string;
  version: string;
  /** The project's home, from package.json `repository` (an https URL without `git+` or `.git`). */
  repositoryUrl: string;
}

const FALLBACK_REPOSITORY = "https://github.com/authproof/authproof";
let info: PackageInfo | undefined;

/** authproof's own name, version and repository, read once from its package.json. */
export function packageInfo(): PackageInfo {
  if (info) return info;
  const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as {
    name: string;
    version: string;
    repository?: string | { url?: string };
  };
  const raw = typeof pkg.repository === "string" ? pkg.repository : pkg.repository?.url;
  const repositoryUrl = raw ? raw.replace(/^git\+/, "").replace(/\.git$/, "").replace(/^github:/, "https://github.com/") : FALLBACK_REPOSITORY;
  info = { name: pkg.name, version: pkg.version, repositoryUrl };
  return info;
}

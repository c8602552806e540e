import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

/** Flags for a headless Chromium that runs as root in CI and makes no network calls of its own. */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** System locations tried after the configured ones. */
export const SYSTEM_CHROMIUM_PATHS = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

/** A browser to drive, or why there is none. */
export type ChromiumChoice = { path: string; source: string } | { skip: string };

export interface ResolveChromiumOptions {
  /** browser.executablePath from the config. */
  configured?: string;
  env?: NodeJS.ProcessEnv;
  exists?: (path: string) => boolean;
  /** Where playwright-core's own registry keeps its Chromium (undefined when it knows none). */
  registryPath?: () => string | undefined;
}

/**
 * Picks the Chromium binary: browser.executablePath, else AUTHPROOF_CHROMIUM, else /usr/bin/chromium or
 * /usr/bin/chromium-browser, else a browser installed in Playwright's own registry. An explicitly named
 * binary that is missing is not silently replaced: the browser checks are skipped with that reason.
 */
export function resolveChromium(opts: ResolveChromiumOptions = {}): ChromiumChoice {
  const env = opts.env ?? process.env;
  const exists = opts.exists ?? existsSync;
  const explicit: Array<[string | undefined, string]> = [
    [opts.configured, "browser.executablePath"],
    [env.AUTHPROOF_CHROMIUM, "AUTHPROOF_CHROMIUM"],
  ];
  for (const [path, source] of explicit) {
    if (!path) continue;
    return exists(path) ? { path, source } : { skip: `no browser: ${source} points at ${path}, which does not exist` };
  }
  for (const path of SYSTEM_CHROMIUM_PATHS) if (exists(path)) return { path, source: "system Chromium" };
  const registry = (opts.registryPath ?? playwrightRegistryPath)();
  if (registry && exists(registry)) return { path: registry, source: "Playwright's browser registry" };
  return {
    skip: `no browser: no Chromium at ${SYSTEM_CHROMIUM_PATHS.join(" or ")}, none in Playwright's registry; install chromium or set AUTHPROOF_CHROMIUM / browser.executablePath`,
  };
}

/** Launches headless Chromium through playwright-core. */
export function launchChromium(path: string): Promise<Browser> {
  return chromium.launch({ executablePath: path, headless: true, args: CHROMIUM_ARGS });
}

function playwrightRegistryPath(): string | undefined {
  try {
    return chromium.executablePath();
  } catch {
    return undefined;
  }
}

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

/** The Chromium binary: AUTHPROOF_CHROMIUM, else /usr/bin/chromium. */
export function chromiumPath(): string {
  return process.env.AUTHPROOF_CHROMIUM ?? "/usr/bin/chromium";
}

/** True when a Chromium binary is there to drive. */
export function chromiumAvailable(): boolean {
  return existsSync(chromiumPath());
}

/** Launches headless Chromium through playwright-core (no downloaded browsers). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
}

import type { Browser } from "playwright-core";
import { launchChromium, resolveChromium } from "../../src/browser/launch.ts";

/** Chromium for the harness's own tests: the audit's resolution rules; no browser is a test failure here. */
export function launchTestChromium(): Promise<Browser> {
  const choice = resolveChromium();
  if ("skip" in choice) throw new Error(`${choice.skip} (the tests need Chromium: apt-get install -y chromium)`);
  return launchChromium(choice.path);
}

import type { Browser } from "playwright-core";
import { launchChromium, LOOPBACK_HOSTS, resolveChromium } from "../../src/browser/launch.ts";

/**
 * Chromium for the harness's own tests: the audit's resolution rules and its locked-down launch, reaching
 * loopback hosts only (the tests serve on 127.0.0.1, localhost or ::1, or load file: URLs). No browser is a
 * test failure here.
 */
export function launchTestChromium(allowedHosts: readonly string[] = LOOPBACK_HOSTS): Promise<Browser> {
  const choice = resolveChromium();
  if ("skip" in choice) throw new Error(`${choice.skip} (the tests need Chromium: apt-get install -y chromium)`);
  return launchChromium(choice.path, allowedHosts);
}

import { existsSync, readFileSync } from "node:fs";
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { connectGuard, guardEnv } from "./connect-guard.ts";
import { isLoopbackHost } from "../http/loopback.ts";
import { createRequire } from "node:module";
import type { Browser } from "playwright-core";

/**
 * playwright-core 1.65's own `--disable-features` list. Chromium keeps only the last `--disable-features`
 * on its command line, so ours must repeat these or they silently stop applying
 * (test/browser-launch.test.ts reads chrome://version to catch a Playwright upgrade that changes the list).
 */
export const PLAYWRIGHT_DISABLED_FEATURES = [
  "AvoidUnnecessaryBeforeUnloadCheckSync",
  "DestroyProfileOnBrowserClose",
  "HttpsUpgrades",
  "HttpsFirstBalancedModeAutoEnable",
  "LensOverlay",
  "MediaRouter",
  "PaintHolding",
  "ThirdPartyStoragePartitioning",
  "AvoidCorsURLLoaderRestartOnRedirect",
  "TcpPortRandomizationWin",
  "OptimizationHints",
  "NetworkTimeServiceQuerying",
  "AimEnabled",
  "PreconnectToSearch",
  "msForceBrowserSignIn",
  "msEdgeUpdateLaunchServicesPreferredVersion",
] as const;

/** Chromium features that talk to the network on the browser's own initiative (names found in Chromium 156's binary). */
export const NETWORK_FEATURES_DISABLED = [
  "DnsOverHttpsUpgrade", // automatic mode upgrading the system resolver to DNS-over-HTTPS (dns.google, Cloudflare, …)
  "AutofillServerCommunication", // form-field predictions from content-autofill.googleapis.com
  "DialMediaRouteProvider", // SSDP multicast discovery of DIAL receivers
  "CastMediaRouteProvider", // mDNS discovery of Cast receivers
  "NoStatePrefetch", // speculative fetches of predicted next pages
  "NavigationPredictor", // preconnects to links the page shows
  "LoadingPredictorPrefetch", // prefetching a page's subresources learned from earlier visits
  "LoadingPredictorUseOptimizationGuide", // predictions from the optimization guide service
  "SegmentationPlatform", // model downloads for the segmentation platform
  "DomainReliability", // beacons about Google domains' reliability
] as const;

/** Hosts of the loopback origins the harness's own tests serve on. */
export const LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1"] as const;

/**
 * Chromium's resolver rules: every name (IP literals included) fails to resolve except the allowed hosts,
 * so nothing outside them can be reached, whatever asks for it. IPv6 literals are written without brackets.
 */
export function hostResolverRules(allowedHosts: readonly string[]): string {
  const hosts = [...new Set(allowedHosts.map((host) => host.toLowerCase().replace(/^\[(.*)\]$/, "$1")))];
  const unsafe = hosts.find((host) => host === "" || /[\s,]/.test(host));
  if (unsafe !== undefined) throw new Error(`cannot allow host ${JSON.stringify(unsafe)} in Chromium's resolver rules`);
  return ["MAP * ~NOTFOUND", ...hosts.map((host) => `EXCLUDE ${host}`)].join(", ");
}

/** The hosts of some origins (or URLs), as Chromium's resolver sees them. */
export function hostsOf(origins: readonly string[]): string[] {
  return [...new Set(origins.map((origin) => new URL(origin).hostname.replace(/^\[(.*)\]$/, "$1")))];
}

/**
 * Flags for a headless Chromium that reaches nothing but the allowed hosts and makes no network calls of its
 * own. Playwright adds its defaults before these (`--disable-background-networking`, `--disable-sync`,
 * `--disable-component-update`, `--metrics-recording-only`, `--disable-field-trial-config`, … and a fresh
 * temporary profile it deletes on close); the ones named here again are the ones this list relies on.
 */
export function lockedDownArgs(allowedHosts: readonly string[]): string[] {
  return [
    "--no-sandbox", // runs as root in CI
    "--disable-gpu",
    `--host-resolver-rules=${hostResolverRules(allowedHosts)}`, // no DNS for anything else: the wall behind everything below
    "--no-proxy-server", // direct connections only: no proxy, no WPAD / PAC auto-detection lookups
    "--disable-background-networking", // variations seed, safe-browsing list updates, extension update checks
    "--disable-component-update", // component updater (update.googleapis.com)
    "--disable-sync", // sync and the Google account it signs in
    "--disable-domain-reliability", // domain reliability uploads
    "--disable-breakpad", // crash dumps and their upload
    "--metrics-recording-only", // metrics stay local, never uploaded
    "--no-pings", // <a ping> hyperlink auditing
    "--webrtc-ip-handling-policy=disable_non_proxied_udp", // page scripts get no WebRTC UDP (STUN/TURN to IP literals skips DNS)
    "--no-first-run", // first-run tasks (import, welcome page, default-browser prompt)
    "--no-default-browser-check",
    "--disable-default-apps",
    `--disable-features=${[...PLAYWRIGHT_DISABLED_FEATURES, ...NETWORK_FEATURES_DISABLED].join(",")}`,
  ];
}

/** Environment additions: no D-Bus (system or session bus) connections, which a headless audit never needs. */
export const BROWSER_ENV = { DBUS_SYSTEM_BUS_ADDRESS: "disabled:", DBUS_SESSION_BUS_ADDRESS: "disabled:" } as const;

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

/**
 * Launches headless Chromium through playwright-core, locked down to the allowed hosts. `chromium.launch`
 * (never a persistent context) gives every run a new, empty temporary profile.
 */
export async function launchChromium(path: string, allowedHosts: readonly string[]): Promise<Browser> {
  const guard = guardEnv(connectGuard(), await guardAddresses(allowedHosts));
  // Loaded here, not at import: playwright-core costs ~90 MB, and the audit's own browser suite runs in Playwright Test.
  const { chromium } = await import("playwright-core");
  return chromium.launch({ executablePath: path, headless: true, args: lockedDownArgs(allowedHosts), env: { ...process.env, ...BROWSER_ENV, ...guard } });
}

/**
 * The addresses besides loopback the browser's processes may connect to: those of the allowed hosts (resolved
 * here) and, when one of them is a name, the system's name servers, which Chromium asks for it.
 */
export async function guardAddresses(allowedHosts: readonly string[], resolvConf = "/etc/resolv.conf"): Promise<string[]> {
  const addresses = new Set<string>();
  let names = false;
  for (const host of allowedHosts.map((h) => h.replace(/^\[(.*)\]$/, "$1"))) {
    if (isLoopbackHost(host)) continue;
    if (isIP(host)) {
      addresses.add(host);
      continue;
    }
    names = true;
    for (const { address } of await lookup(host, { all: true }).catch(() => [])) addresses.add(address);
  }
  if (names && existsSync(resolvConf)) {
    for (const m of readFileSync(resolvConf, "utf8").matchAll(/^\s*nameserver\s+(\S+)/gm)) addresses.add(m[1]!.replace(/%.*$/, ""));
  }
  return [...addresses];
}

function playwrightRegistryPath(): string | undefined {
  try {
    return (createRequire(import.meta.url)("playwright-core") as typeof import("playwright-core")).chromium.executablePath();
  } catch {
    return undefined;
  }
}

import { isIP } from "node:net";
import { CORS_ORIGIN_CLASSES } from "../../catalogue/checks.ts";
import type { CheckId } from "../../catalogue/checks.ts";

/** The id suffix of a CORS origin class (`cors.<classId>` in the catalogue). */
export type OriginClassId =
  | "reflect-origin"
  | "null-origin"
  | "prefix-origin"
  | "suffix-origin"
  | "substring-origin"
  | "unescaped-dot"
  | "special-chars"
  | "any-subdomain"
  | "http-downgrade"
  | "third-party";

/** The origins one class sends for an allowed origin, or why the class does not apply to it. */
export interface OriginClass {
  classId: OriginClassId;
  checkId: CheckId;
  label: string;
  origins: string[];
  /** Set when no origin of this class can be built for the allowed origin (e.g. an IP address has no subdomains). */
  notApplicable?: string;
}

/** Hosts where anyone can publish pages: an origin allow-list that contains them trusts strangers. */
export const THIRD_PARTY_ORIGINS = ["https://whatever.github.io", "https://codepen.io", "https://jsfiddle.net"];

/** Characters that some origin parsers let into a host; a loose suffix/regex check may accept them. */
const SPECIAL_CHARACTERS = ["_", "`", "!", "~", "$", "&", "'", "(", ")", "*", "+", ",", ";", "=", "%0b"];

/** Second-level labels under which registrations happen one level deeper (co.uk, com.au, …). */
const SECOND_LEVEL = new Set(["co", "com", "net", "org", "ac", "gov", "edu", "ne", "or", "go"]);

/**
 * The origin classes of CORScanner / ZAP 40040, derived from one allowed origin (e.g. the frontend's).
 * `attackerLabel` names the attacker's own domain (`<label>.test`), so runs can use a fresh one.
 */
export function deriveOriginClasses(allowedOrigin: string, attackerLabel = "authproof-evil"): OriginClass[] {
  const url = new URL(allowedOrigin);
  const scheme = url.protocol; // "https:"
  const host = url.hostname;
  const port = url.port ? `:${url.port}` : "";
  const evil = `${attackerLabel}.test`;
  const hostKind = isIP(host.replace(/^\[|\]$/g, "")) ? "ip" : host.includes(".") ? "domain" : "single-label";
  const registered = hostKind === "domain" ? registeredDomain(host) : host;

  const build: Record<OriginClassId, () => string[] | string> = {
    "reflect-origin": () => [`${scheme}//${evil}`],
    "null-origin": () => ["null"],
    "prefix-origin": () => [`${scheme}//${host}.${evil}${port}`],
    "suffix-origin": () =>
      hostKind === "ip" ? "an IP address has no registrable domain to extend" : [`${scheme}//evil${registered}${port}`],
    "substring-origin": () =>
      hostKind === "ip" ? "an IP address has no registrable domain to shorten" : [`${scheme}//${registered.slice(1)}${port}`],
    "unescaped-dot": () => {
      if (hostKind !== "domain") return "the host has no dot that a regex could leave unescaped";
      const dots = [...host.matchAll(/\./g)].map((m) => m.index);
      return [dots[0]!, dots.at(-1)!]
        .filter((index, i, all) => all.indexOf(index) === i)
        .map((index) => `${scheme}//${host.slice(0, index)}a${host.slice(index + 1)}${port}`);
    },
    "special-chars": () => SPECIAL_CHARACTERS.map((c) => `${scheme}//${host}${c}.${evil}${port}`),
    "any-subdomain": () =>
      hostKind === "ip" ? "an IP address has no subdomains" : [`${scheme}//${attackerLabel}.${host}${port}`],
    "http-downgrade": () =>
      scheme === "https:" ? [`http://${host}${port}`] : "the allowed origin already uses plain http",
    "third-party": () => THIRD_PARTY_ORIGINS,
  };

  return CORS_ORIGIN_CLASSES.map(([classId, label]) => {
    const id = classId as OriginClassId;
    const make = build[id];
    if (!make) throw new Error(`no origin builder for the catalogue's CORS class ${classId}`);
    const built = make();
    const base = { classId: id, checkId: `cors.${id}` as CheckId, label };
    if (typeof built === "string") return { ...base, origins: [], notApplicable: built };
    // Only origins a browser could really send count; special characters are sent as they are (browsers differ).
    const origins = id === "special-chars" || id === "null-origin" ? built : built.filter(isSendableOrigin);
    if (origins.length === 0) return { ...base, origins, notApplicable: `no valid ${label} origin can be built from ${allowedOrigin}` };
    return { ...base, origins };
  });
}

/** The registrable domain of a host name, by a small heuristic (last two labels, three under co.uk-style suffixes). */
export function registeredDomain(host: string): string {
  const labels = host.toLowerCase().replace(/\.$/, "").split(".");
  if (labels.length <= 2) return labels.join(".");
  const tld = labels.at(-1)!;
  const second = labels.at(-2)!;
  const take = tld.length === 2 && SECOND_LEVEL.has(second) ? 3 : 2;
  return labels.slice(-take).join(".");
}

/** True when the string is an origin as a browser would serialise it (scheme, host, optional port). */
function isSendableOrigin(origin: string): boolean {
  try {
    return new URL(origin).origin === origin;
  } catch {
    return false;
  }
}

const API_TOP10_2023: Record<string, string> = {
  "1": "0xa1-broken-object-level-authorization",
  "2": "0xa2-broken-authentication",
  "3": "0xa3-broken-object-property-level-authorization",
  "4": "0xa4-unrestricted-resource-consumption",
  "5": "0xa5-broken-function-level-authorization",
  "6": "0xa6-unrestricted-access-to-sensitive-business-flows",
  "7": "0xa7-server-side-request-forgery",
  "8": "0xa8-security-misconfiguration",
  "9": "0xa9-improper-inventory-management",
  "10": "0xaa-unsafe-consumption-of-apis",
};

/**
 * Public page for a catalogue reference, or undefined when there is none worth linking.
 * Understands "RFC 8725 §3.1", "RFC 6265bis §4.1.3", "CWE-347", "CVE-2020-28042", "API1:2023", "ASVS 9.1.2",
 * "ZAP 10010", "Fetch §3.2.5" / "Fetch standard".
 *
 * @example refUrl("RFC 8725 §3.1") // "https://www.rfc-editor.org/rfc/rfc8725#section-3.1"
 */
export function refUrl(ref: string): string | undefined {
  const text = ref.trim();
  let m = /^RFC\s*6265bis(?:\s*§\s*(\d+(?:\.\d+)*))?$/i.exec(text);
  if (m) return `https://datatracker.ietf.org/doc/html/draft-ietf-httpbis-rfc6265bis${m[1] ? `#section-${m[1]}` : ""}`;
  m = /^RFC\s*(\d+)(?:\s*§\s*(\d+(?:\.\d+)*))?$/i.exec(text);
  if (m) return `https://www.rfc-editor.org/rfc/rfc${m[1]}${m[2] ? `#section-${m[2]}` : ""}`;
  m = /^CWE-(\d+)$/i.exec(text);
  if (m) return `https://cwe.mitre.org/data/definitions/${m[1]}.html`;
  m = /^CVE-\d{4}-\d{4,}$/i.exec(text);
  if (m) return `https://www.cve.org/CVERecord?id=${text.toUpperCase()}`;
  m = /^API(\d{1,2}):2023$/i.exec(text);
  if (m && API_TOP10_2023[m[1]!]) return `https://owasp.org/API-Security/editions/2023/en/${API_TOP10_2023[m[1]!]}/`;
  if (/^ASVS\b/i.test(text)) return "https://owasp.org/www-project-application-security-verification-standard/";
  m = /^ZAP\s+(\d+)$/i.exec(text);
  if (m) return `https://www.zaproxy.org/docs/alerts/${m[1]}/`;
  if (/^Fetch\b/i.test(text)) return "https://fetch.spec.whatwg.org/#http-cors-protocol";
  return undefined;
}

/** The CWE ids among a check's references, as "CWE-347" (SARIF tags, JUnit properties). */
export function cweIds(refs: readonly string[]): string[] {
  return refs.filter((ref) => /^CWE-\d+$/i.test(ref.trim())).map((ref) => ref.trim().toUpperCase());
}

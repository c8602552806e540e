import { describe, expect, it } from "vitest";
import { cweIds, refUrl } from "../src/report/refs.ts";

describe("reference links", () => {
  it.each([
    ["RFC 8725 §3.1", "https://www.rfc-editor.org/rfc/rfc8725#section-3.1"],
    ["RFC 7519 §4.1.4", "https://www.rfc-editor.org/rfc/rfc7519#section-4.1.4"],
    ["RFC 7235", "https://www.rfc-editor.org/rfc/rfc7235"],
    ["RFC 6750 §3", "https://www.rfc-editor.org/rfc/rfc6750#section-3"],
    ["RFC 6265bis §4.1.3", "https://datatracker.ietf.org/doc/html/draft-ietf-httpbis-rfc6265bis#section-4.1.3"],
    ["Fetch §3.2.5", "https://fetch.spec.whatwg.org/#http-cors-protocol"],
    ["CWE-347", "https://cwe.mitre.org/data/definitions/347.html"],
    ["CVE-2020-28042", "https://www.cve.org/CVERecord?id=CVE-2020-28042"],
    ["API1:2023", "https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/"],
    ["API10:2023", "https://owasp.org/API-Security/editions/2023/en/0xaa-unsafe-consumption-of-apis/"],
    ["ASVS 9.1.2", "https://owasp.org/www-project-application-security-verification-standard/"],
    ["ZAP 10054", "https://www.zaproxy.org/docs/alerts/10054/"],
  ])("links %s", (ref, url) => {
    expect(refUrl(ref)).toBe(url);
  });

  it("leaves unknown references unlinked and picks CWE ids", () => {
    expect(refUrl("API11:2023")).toBeUndefined();
    expect(refUrl("javascript:alert(1)")).toBeUndefined();
    expect(cweIds(["RFC 8725 §3.1", "CWE-347", "cwe-798 "])).toEqual(["CWE-347", "CWE-798"]);
  });
});

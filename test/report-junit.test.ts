import { parse, type TestCase, type TestSuites } from "junit2json";
import { describe, expect, it } from "vitest";
import { withFindings } from "../src/report/findings.ts";
import { renderJunit } from "../src/report/junit.ts";
import { xmlEscape } from "../src/report/xml.ts";
import { buildAlgNoneReport, buildReport, HOSTILE } from "./report-fixture.ts";

const source = { file: "authproof.config.ts", routes: { "GET /api/tasks": "app/routers/tasks.py" } };

/** Parses JUnit XML whose root is <testsuites>. */
async function parseSuites(xml: string): Promise<TestSuites> {
  const parsed = await parse(xml);
  if (!parsed || !("testsuite" in parsed)) throw new Error("root is not <testsuites>");
  return parsed as TestSuites;
}

describe("JUnit renderer", async () => {
  const report = buildReport({ source });
  const xml = renderJunit(report);
  const parsed = await parseSuites(xml);
  const suites = parsed.testsuite ?? [];
  const cases: Array<TestCase & { file?: string; properties?: Array<{ name?: string; value?: string }> }> = suites.flatMap(
    (s) => s.testcase ?? [],
  );

  it("has one testsuite per category present, with counts that add up", () => {
    expect(suites.map((s) => s.name)).toEqual(["transport", "token", "claims", "isolation", "cors", "cookie", "hygiene", "property"]);
    expect(parsed.tests).toBe(cases.length);
    expect(parsed.failures).toBe(report.findings.length);
    expect(parsed.errors).toBe(new Set(report.results.filter((r) => r.status === "error").map((r) => r.checkId)).size);
    for (const suite of suites) {
      const inSuite = suite.testcase ?? [];
      expect(suite.tests, suite.name).toBe(inSuite.length);
      expect(suite.failures, suite.name).toBe(report.findings.filter((f) => f.category === suite.name).length);
      expect(suite.failures, suite.name).toBe(inSuite.filter((c) => c.failure).length);
      expect(suite.errors, suite.name).toBe(inSuite.filter((c) => c.error).length);
      expect(suite.skipped, suite.name).toBe(inSuite.filter((c) => c.skipped).length);
    }
  });

  it("writes one uniquely named testcase per finding, and one per check without findings (passed or skipped)", () => {
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    const checkIds = [...new Set(report.results.map((r) => r.checkId))];
    expect(cases.map((c) => c.name).sort()).toEqual(checkIds.sort());
    for (const checkId of checkIds) {
      const testcase = cases.find((c) => c.name === checkId)!;
      const results = report.results.filter((r) => r.checkId === checkId);
      const finding = report.findings.find((f) => f.checkId === checkId);
      expect(testcase.classname).toBe(results[0]!.category);
      if (finding) {
        expect(testcase.failure![0]!.type).toBe(checkId);
        expect(testcase.failure![0]!.message).toBe(finding.reason);
      } else if (results.some((r) => r.status === "error")) expect(testcase.error).toHaveLength(1);
      else if (results.some((r) => r.status === "pass")) expect(testcase.failure ?? testcase.error ?? testcase.skipped).toBeUndefined();
      else expect(testcase.skipped![0]!.message).toBe(results[0]!.reason);
    }
  });

  it("carries file, checkId and severity for every testcase", () => {
    const algNone = cases.find((c) => c.name === "token.alg-none")!;
    expect(algNone.file).toBe("app/routers/tasks.py");
    expect(cases.find((c) => c.name === "claims.lifetime")!.file).toBe("authproof.config.ts");
    expect(cases.find((c) => c.name === "claims.exp-expired")!.file).toBe("authproof.config.ts");
    for (const testcase of cases) {
      const results = report.results.filter((r) => r.checkId === testcase.name);
      expect(testcase.properties ?? []).toEqual(expect.arrayContaining([{ name: "checkId", value: testcase.name }, { name: "severity", value: results[0]!.severity }]));
    }
    expect(algNone.properties).toEqual(expect.arrayContaining([{ name: "findingId", value: report.findings.find((f) => f.checkId === "token.alg-none")!.id }]));
  });

  it("puts the routes, evidence, fix and curl line in the failure body, with hostile text intact after parsing", () => {
    const body = cases.find((c) => c.name === "token.alg-none")!.failure![0]!.inner!;
    expect(body).toContain("Routes (1):\n  - GET /api/tasks (http://127.0.0.1:8000/api/tasks), 4 of 38 variants:");
    expect(body).toContain("How to fix:");
    expect(body).toContain("curl -sS -H 'Authorization: Bearer");
    expect(body).toContain("> GET http://127.0.0.1:8000/api/tasks");
    expect(body).toContain("< 200");
    expect(body).toContain(HOSTILE);
    expect(xml).not.toContain(HOSTILE);
  });

  it("one alg:none flaw on 8 routes: one failing testcase listing the 8 routes, the property failure pointing at it", async () => {
    const algNone = buildAlgNoneReport();
    const back = await parseSuites(renderJunit(algNone));
    const all = (back.testsuite ?? []).flatMap((suite) => suite.testcase ?? []) as Array<TestCase & { properties?: Array<{ name?: string; value?: string }> }>;
    expect(new Set(all.map((c) => `${c.classname} ${c.name}`)).size).toBe(all.length);
    expect(all.map((c) => c.name)).toEqual(["token.alg-none", "token.signature-stripped", "claims.exp-expired", "claims.sub", "property.token-rejection"]);
    const failure = all.find((c) => c.name === "token.alg-none")!.failure![0]!;
    expect(failure.inner).toContain("Routes (8):");
    expect(failure.inner!.match(/^  - (GET|POST|PUT|PATCH|DELETE) \//gm)).toHaveLength(8);
    expect(failure.inner).toContain("Also found by: property.token-rejection");
    const property = all.find((c) => c.name === "property.token-rejection")!;
    expect(property.failure).toHaveLength(1);
    expect(property.properties).toEqual(expect.arrayContaining([{ name: "relatedFinding", value: algNone.findings[0]!.id }]));
    expect(all.find((c) => c.name === "claims.sub")!.skipped![0]!.message).toBe("needs a signing key (shared secret or a private key the target trusts) (4)");
    expect(all.find((c) => c.name === "token.signature-stripped")!.failure).toBeUndefined();
    expect(back.tests).toBe(5);
    expect(back.failures).toBe(2);
    expect((back as { skipped?: number }).skipped).toBe(2);
  });

  it("escapes markup and strips characters XML 1.0 cannot carry", async () => {
    const nasty = buildReport();
    nasty.results[0]!.reason = `bad \u0000\u0001\u0008\u000b\u001f\uFFFE\uD800 chars & "quotes" <tag>`;
    const nastyXml = renderJunit(withFindings(nasty));
    const back = await parseSuites(nastyXml);
    const testcase = back.testsuite!.flatMap((s) => s.testcase ?? []).find((c) => c.name === "token.alg-none")!;
    expect(testcase.failure![0]!.message).toBe(`bad  chars & "quotes" <tag>`);
    expect(xmlEscape("a\nb", true)).toBe("a&#10;b");
    expect(xmlEscape("😀<")).toBe("😀&lt;");
  });
});

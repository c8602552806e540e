import { parse, type TestCase, type TestSuites } from "junit2json";
import { describe, expect, it } from "vitest";
import { renderJunit } from "../src/report/junit.ts";
import { xmlEscape } from "../src/report/xml.ts";
import { buildReport, HOSTILE } from "./report-fixture.ts";

const suiteFiles = { token: "suites/token.suite.ts", isolation: "suites/isolation.suite.ts", "claims.lifetime": "suites/lifetime.suite.ts" };

/** Parses JUnit XML whose root is <testsuites>. */
async function parseSuites(xml: string): Promise<TestSuites> {
  const parsed = await parse(xml);
  if (!parsed || !("testsuite" in parsed)) throw new Error("root is not <testsuites>");
  return parsed as TestSuites;
}

describe("JUnit renderer", async () => {
  const report = buildReport();
  const xml = renderJunit(report, { suiteFiles });
  const parsed = await parseSuites(xml);
  const suites = parsed.testsuite ?? [];
  const cases: Array<TestCase & { file?: string; properties?: Array<{ name?: string; value?: string }> }> = suites.flatMap(
    (s) => s.testcase ?? [],
  );

  it("has one testsuite per category present, with counts that add up", () => {
    expect(suites.map((s) => s.name)).toEqual(["transport", "token", "claims", "isolation", "cors", "cookie", "hygiene", "property"]);
    expect(parsed.tests).toBe(report.results.length);
    expect(parsed.failures).toBe(report.summary.failed);
    expect(parsed.errors).toBe(report.summary.errors);
    for (const suite of suites) {
      const inSuite = report.results.filter((r) => r.category === suite.name);
      expect(suite.tests, suite.name).toBe(inSuite.length);
      expect(suite.failures, suite.name).toBe(inSuite.filter((r) => r.status === "fail").length);
      expect(suite.errors, suite.name).toBe(inSuite.filter((r) => r.status === "error").length);
      expect(suite.skipped, suite.name).toBe(inSuite.filter((r) => r.status === "skip").length);
      expect(suite.testcase, suite.name).toHaveLength(inSuite.length);
    }
  });

  it("writes one uniquely named testcase per result with failure, error or skipped as the status says", () => {
    expect(cases.map((c) => c.name)).toEqual(
      expect.arrayContaining(report.results.map((r) => r.id)),
    );
    expect(new Set(cases.map((c) => c.name)).size).toBe(report.results.length);
    expect(cases.filter((c) => c.failure)).toHaveLength(report.summary.failed);
    expect(cases.filter((c) => c.error)).toHaveLength(report.summary.errors);
    expect(cases.filter((c) => c.skipped)).toHaveLength(report.summary.skipped);
    for (const result of report.results) {
      const testcase = cases.find((c) => c.name === result.id)!;
      expect(testcase.classname).toBe(result.category);
      if (result.status === "fail") {
        expect(testcase.failure![0]!.type).toBe(result.checkId);
        expect(testcase.failure![0]!.message).toBe(result.reason);
      }
      if (result.status === "skip") expect(testcase.skipped![0]!.message).toBe(result.reason);
      if (result.status === "pass") expect(testcase.failure ?? testcase.error ?? testcase.skipped).toBeUndefined();
    }
  });

  it("carries file, checkId and severity for every testcase", () => {
    const algNone = cases.find((c) => c.name === "token.alg-none GET /api/tasks")!;
    expect(algNone.file).toBe("suites/token.suite.ts");
    expect(cases.find((c) => c.name === "claims.lifetime")!.file).toBe("suites/lifetime.suite.ts");
    expect(cases.find((c) => c.name === "claims.exp-expired")!.file).toBe("authproof.config.ts");
    for (const result of report.results) {
      const props = cases.find((c) => c.name === result.id)!.properties ?? [];
      expect(props).toEqual(
        expect.arrayContaining([
          { name: "checkId", value: result.checkId },
          { name: "severity", value: result.severity },
        ]),
      );
    }
  });

  it("puts the evidence, fix and curl line in the failure body, with hostile text intact after parsing", () => {
    const body = cases.find((c) => c.name === "token.alg-none GET /api/tasks")!.failure![0]!.inner!;
    expect(body).toContain("How to fix:");
    expect(body).toContain("curl -sS -H 'Authorization: Bearer");
    expect(body).toContain("> GET http://127.0.0.1:8000/api/tasks");
    expect(body).toContain("< 200");
    expect(body).toContain(HOSTILE);
    expect(xml).not.toContain(HOSTILE);
  });

  it("escapes markup and strips characters XML 1.0 cannot carry", async () => {
    const nasty = buildReport();
    nasty.results[0]!.reason = `bad \u0000\u0001\u0008\u000b\u001f\uFFFE\uD800 chars & "quotes" <tag>`;
    const nastyXml = renderJunit(nasty);
    const back = await parseSuites(nastyXml);
    const testcase = back.testsuite!.flatMap((s) => s.testcase ?? []).find((c) => c.name === "token.alg-none GET /api/tasks")!;
    expect(testcase.failure![0]!.message).toBe(`bad  chars & "quotes" <tag>`);
    expect(xmlEscape("a\nb", true)).toBe("a&#10;b");
    expect(xmlEscape("😀<")).toBe("😀&lt;");
  });
});

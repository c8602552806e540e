import { describe, expect, it } from "vitest";
import { groupFindings, relatedCheckIds, variantName, withFindings } from "../src/report/findings.ts";
import { parseReportText } from "../src/report/load.ts";
import { ReportSchema, SCHEMA_VERSION, type Result } from "../src/report/schema.ts";
import { blockingFindings, groupSkipReasons, skipReasonKey } from "../src/report/summary.ts";
import { ALG_NONE_ACCEPTED, buildAlgNoneReport, buildLegacyReport, buildReport } from "./report-fixture.ts";

function failed(checkId: string, path: string, variants: string[], total: number, extra: Partial<Result> = {}): Result {
  return {
    id: `${checkId} GET ${path}`,
    checkId,
    title: checkId,
    category: checkId.startsWith("property.") ? "property" : "token",
    severity: "critical",
    status: "fail",
    endpoint: { method: "GET", path },
    refs: [],
    variants: { total, failed: variants.length },
    evidence: { exchanges: [], failedVariants: variants.map((v) => `${v}: accepted with 200 on ${path}`) },
    ...extra,
  };
}

describe("grouping failed results into findings", () => {
  it("one alg:none flaw on 8 routes is one finding listing the 8 routes (writes were sent 3 of the variants)", () => {
    const report = buildAlgNoneReport();
    const algNone = report.findings.filter((f) => f.checkId === "token.alg-none");
    expect(algNone).toHaveLength(1);
    expect(algNone[0]!.routes.map((r) => `${r.method} ${r.path}`)).toHaveLength(8);
    expect(new Set(algNone[0]!.resultIds)).toEqual(new Set(report.results.filter((r) => r.checkId === "token.alg-none").map((r) => r.id)));
    expect(algNone[0]!.failedVariants).toEqual(ALG_NONE_ACCEPTED);
    expect(algNone[0]!).toMatchObject({ severity: "critical", exploitConfirmed: true, title: "Unsigned tokens (alg none) are refused" });
    expect(algNone[0]!.id).toMatch(/^token\.alg-none#[0-9a-f]{8}$/);
    expect(ReportSchema.safeParse(report).success).toBe(true);
  });

  it("same failed variants → one finding; different failed variants → two findings of the same check", () => {
    const same = groupFindings([failed("token.alg-none", "/a", ["v1", "v2"], 10), failed("token.alg-none", "/b", ["v2", "v1"], 10)]);
    expect(same).toHaveLength(1);
    expect(same[0]!.routes.map((r) => r.path)).toEqual(["/a", "/b"]);

    const different = groupFindings([failed("token.alg-none", "/a", ["v1", "v2"], 10), failed("token.alg-none", "/b", ["v1"], 10)]);
    expect(different).toHaveLength(2);
    expect(new Set(different.map((f) => f.checkId))).toEqual(new Set(["token.alg-none"]));
    expect(different[0]!.id).not.toBe(different[1]!.id);
  });

  it("a route sent fewer variants joins only when it failed all of them and the others failed those too", () => {
    const broad = failed("token.alg-none", "/a", ["v1", "v2", "v3", "v9"], 38);
    expect(groupFindings([broad, failed("token.alg-none", "/w", ["v1", "v2", "v3"], 3)])).toHaveLength(1);
    // passed one of the three it was sent: another verifier, maybe
    expect(groupFindings([broad, failed("token.alg-none", "/w", ["v1", "v2"], 3)])).toHaveLength(2);
    // failed a variant the broad route refused
    expect(groupFindings([broad, failed("token.alg-none", "/w", ["v1", "v4"], 2)])).toHaveLength(2);
  });

  it("results without variants group per check; ids are stable across runs (ports and random ids masked)", () => {
    const a = { ...failed("isolation.read-foreign", "/x", [], 0), variants: undefined, evidence: undefined };
    const b = { ...a, id: "isolation.read-foreign GET /y", endpoint: { method: "GET", path: "/y" } };
    expect(groupFindings([a, b])).toHaveLength(1);
    const cors = (port: number) =>
      groupFindings([{ ...failed("cors.prefix-origin", "/x", [], 1), evidence: { exchanges: [], failedVariants: [`Origin: http://127.0.0.1:${port}.authproof-evil.test (prefix) → 200, ACAO: x`] } }])[0]!.id;
    expect(cors(35097)).toBe(cors(41234));
  });

  it("names a variant without what happened on the route", () => {
    expect(variantName("alg=none signature=empty: accepted with 422 (valid token gets 422, expected 401)")).toBe("alg=none signature=empty");
    expect(variantName(`base: A's token; header: "alg"="none" → accepted with 200`)).toBe(`base: A's token; header: "alg"="none"`);
    expect(variantName("Origin: https://evil.test (reflect) → 200, ACAO: https://evil.test")).toBe("Origin: https://evil.test (reflect)");
    expect(variantName("better-auth.session_token=… — no HttpOnly")).toBe("better-auth.session_token=…");
  });
});

describe("property failures that reproduce a scenario finding", () => {
  it("link to it instead of counting again", () => {
    const report = buildAlgNoneReport();
    const algNone = report.findings.find((f) => f.checkId === "token.alg-none")!;
    const property = report.findings.find((f) => f.checkId === "property.token-rejection")!;
    expect(property.relatedFinding).toBe(algNone.id);
    expect(report.summary.findings).toEqual({ total: 1, linked: 1, accepted: 0, bySeverity: { critical: 1, high: 0, medium: 0, low: 0, info: 0 } });
    // the result statuses stay as they are
    expect(report.summary.failed).toBe(9);
    expect(report.results.find((r) => r.checkId === "property.token-rejection")!.status).toBe("fail");
    expect(blockingFindings(report.findings, "high").map((f) => f.id)).toEqual([algNone.id]);
  });

  it("stay separate when no failing scenario check covers their counterexample", () => {
    const property = report("property.token-rejection", { header: { alg: "none" } });
    const findings = groupFindings([property, failed("token.signature-stripped", "/a", ["x"], 1)]);
    expect(findings.find((f) => f.checkId === "property.token-rejection")!.relatedFinding).toBeUndefined();
    expect(groupFindings(buildReport().results).every((f) => f.relatedFinding === undefined)).toBe(true);
  });

  it("map the counterexample to the scenario checks that cover it", () => {
    const p1 = (header: unknown, description: string, extra: Partial<NonNullable<Result["counterexample"]>> = {}) =>
      relatedCheckIds({ checkId: "property.token-rejection", reason: `falsified\n  counterexample: ${description}`, counterexample: { seed: 1, header, ...extra } })[0];
    expect(p1({ alg: "none" }, `base: A's token; header: "alg"="none"; signature: trusted key`)).toBe("token.alg-none");
    expect(p1({ alg: "nOnE" }, "")).toBe("token.alg-none");
    expect(p1({ typ: "JWT" }, `header: -"alg"`)).toBe("token.alg-none");
    expect(p1({ alg: null }, "")).toBe("token.alg-none");
    expect(p1({ alg: "EdDSA" }, "base: A's token; signature: empty", { token: "a.b." })).toBe("token.signature-stripped");
    expect(p1({ alg: "EdDSA" }, `base: A's token; claims: "sub"=id(B); signature: the real token's signature`)).toBe("token.signature-tampered");
    expect(p1({ alg: "EdDSA" }, `base: A's token; claims: "exp"=now-120; signature: trusted key\n  expected because: expired (exp = now-120)`)).toBe("claims.exp-expired");
    expect(p1({ alg: "EdDSA" }, `base: A's token; claims: -"exp"; signature: trusted key\n  expected because: no exp`)).toBe("claims.exp-missing");
    expect(p1({ alg: "EdDSA" }, `base: A's token; claims: -"sub"; signature: trusted key\n  expected because: no sub`)).toBe("claims.sub");
    expect(p1({ alg: "HS256" }, `base: A's token; signature: HS256 with key ""`)).toBe("token.empty-key");
    expect(p1({ alg: "EdDSA", jwk: {} }, "signature: an attacker Ed25519 key")).toBe("token.embedded-jwk");
    expect(relatedCheckIds({ checkId: "property.isolation-model", reason: "counterexample: commands: create(A),update(B → A's #0)" })[0]).toBe("isolation.write-foreign");
    expect(relatedCheckIds({ checkId: "property.isolation-model", reason: "B read A's object 3 and got 200" })).toContain("isolation.read-foreign");
    expect(relatedCheckIds({ checkId: "property.token-acceptance", reason: "valid token refused" })).toEqual([]);
  });
});

describe("skipped results grouped by reason", () => {
  it("strips per-route detail and keeps the most common wording", () => {
    expect(skipReasonKey("needs a signing key: no shared secret is configured")).toBe(skipReasonKey("needs a signing key (shared secret or a private key the target trusts)"));
    expect(
      groupSkipReasons([
        ...Array.from({ length: 3 }, () => ({ reason: "needs a signing key (shared secret or a private key the target trusts)" })),
        { reason: "needs a signing key: no shared secret is configured" },
        { reason: "Secure is not expected: the site is served over plain http (http://127.0.0.1:1)" },
        { reason: "Secure is not expected: the site is served over plain http (http://127.0.0.1:1) (set cookies.expectSecure: true to require it)" },
        {},
      ]),
    ).toEqual({
      "needs a signing key (shared secret or a private key the target trusts)": 4,
      "Secure is not expected: the site is served over plain http (http://127.0.0.1:1)": 2,
      "no reason given": 1,
    });
    expect(buildAlgNoneReport().summary.skippedByReason).toEqual({ "needs a signing key (shared secret or a private key the target trusts)": 8 });
  });
});

describe("1.0.0 reports", () => {
  it("are migrated on load: same results, findings and summary counts derived", () => {
    const legacy = buildLegacyReport();
    expect(legacy.findings).toBeUndefined();
    const loaded = parseReportText(JSON.stringify(legacy), "old.json");
    expect(loaded.schemaVersion).toBe(SCHEMA_VERSION);
    expect(loaded.results).toEqual(buildReport().results);
    expect(loaded.findings).toEqual(buildReport().findings);
    expect(loaded.summary).toEqual(buildReport().summary);
  });

  it("that are broken still name the broken field", () => {
    const legacy = buildLegacyReport() as { results: Array<Record<string, unknown>> };
    legacy.results[1]!.status = "maybe";
    expect(() => parseReportText(JSON.stringify(legacy), "old.json")).toThrow(/results\[1\]\.status/);
  });

  it("withFindings derives the same model the builder writes", () => {
    const report = buildAlgNoneReport();
    expect(withFindings(report)).toEqual(report);
  });
});

function report(checkId: string, counterexample: Partial<NonNullable<Result["counterexample"]>>): Result {
  return { ...failed(checkId, "/me", ["x"], 5), counterexample: { seed: 1, ...counterexample } };
}

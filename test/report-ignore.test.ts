import { describe, expect, test } from "vitest";
import { toCurlWithVariables } from "../src/http/curl.ts";
import { githubAnnotations, githubStepSummary } from "../src/report/github.ts";
import { applyIgnoreFile, IgnoreFileError, parseIgnoreFile } from "../src/report/ignore.ts";
import { exitCodeFor } from "../src/report/summary.ts";
import { validateReport } from "../src/report/validate.ts";
import { buildReport } from "./report-fixture.ts";

const NOW = new Date("2026-06-01T12:00:00Z");

describe("parseIgnoreFile", () => {
  test("accepts entries with a check id, an optional route and expiry, and a reason", () => {
    const entries = parseIgnoreFile(JSON.stringify([{ checkId: "token.alg-none", route: "GET /api/tasks", reason: "r", expires: "2027-01-01" }]), "f.json");
    expect(entries).toEqual([{ checkId: "token.alg-none", route: "GET /api/tasks", reason: "r", expires: "2027-01-01" }]);
  });

  test.each([
    ["not JSON", "{", /f\.json: \(file\): not valid JSON/],
    ["not an array", "{}", /f\.json: \(file\): expected an array/],
    ["no reason", '[{"checkId":"token.alg-none"}]', /f\.json: \[0\]\.reason: required/],
    ["an empty reason", '[{"checkId":"token.alg-none","reason":"  "}]', /\[0\]\.reason: required: say why/],
    ["an unknown check", '[{"checkId":"token.alg-nope","reason":"r"}]', /\[0\]\.checkId: not a check id/],
    ["a bad route", '[{"checkId":"token.alg-none","route":"/api","reason":"r"}]', /\[0\]\.route: expected "METHOD \/path"/],
    ["a bad date", '[{"checkId":"token.alg-none","reason":"r","expires":"31.12.2026"}]', /\[0\]\.expires: expected a date YYYY-MM-DD/],
    ["an unknown key", '[{"checkId":"token.alg-none","reason":"r","until":"x"}]', /\[0\]: unknown key "until"/],
  ])("names the field of %s", (_what, text, message) => {
    expect(() => parseIgnoreFile(text, "f.json")).toThrow(IgnoreFileError);
    expect(() => parseIgnoreFile(text, "f.json")).toThrow(message);
  });
});

describe("applyIgnoreFile", () => {
  const report = buildReport();
  const failedIds = (checkId: string) => report.results.filter((r) => r.checkId === checkId && r.status === "fail").map((r) => r.id);

  test("accepts every failure of a check: not counted, no longer blocking, and the report stays valid", () => {
    const before = exitCodeFor(report);
    const critical = [...new Set(report.results.filter((r) => r.status === "fail" && ["critical", "high"].includes(r.severity)).map((r) => r.checkId))];
    const marked = applyIgnoreFile(report, critical.map((checkId) => ({ checkId, reason: "accepted for the test" })), NOW);
    expect(before).toBe(1);
    expect(exitCodeFor(marked)).toBe(0);
    expect(marked.summary.accepted).toBe(critical.flatMap(failedIds).length);
    expect(marked.summary.failed).toBe(report.summary.failed - marked.summary.accepted);
    expect(() => validateReport(marked, "marked")).not.toThrow();
    for (const id of critical.flatMap(failedIds)) expect(marked.results.find((r) => r.id === id)!.acceptance?.state).toBe("accepted");
  });

  test("an entry for one route covers that route only; an expired one fails again", () => {
    const [first] = report.results.filter((r) => r.status === "fail" && r.endpoint);
    const route = `${first!.endpoint!.method} ${first!.endpoint!.path}`;
    const scoped = applyIgnoreFile(report, [{ checkId: first!.checkId, route, reason: "one route" }], NOW);
    for (const r of scoped.results.filter((r) => r.checkId === first!.checkId && r.status === "fail"))
      expect(r.acceptance?.state, r.id).toBe(`${r.endpoint!.method} ${r.endpoint!.path}` === route ? "accepted" : undefined);
    const expired = applyIgnoreFile(report, [{ checkId: first!.checkId, reason: "old", expires: "2026-05-31" }], NOW);
    expect(expired.results.find((r) => r.id === first!.id)!.acceptance).toEqual({ state: "expired", reason: "old", expires: "2026-05-31" });
    expect(expired.summary.accepted).toBe(0);
    expect(expired.summary.failed).toBe(report.summary.failed);
    const lastDay = applyIgnoreFile(report, [{ checkId: first!.checkId, reason: "today", expires: "2026-06-01" }], NOW);
    expect(lastDay.results.find((r) => r.id === first!.id)!.acceptance?.state).toBe("accepted");
  });

  test("the GitHub summary lists accepted findings with their reason and annotates none of them", () => {
    const checkId = report.findings[0]!.checkId;
    const marked = applyIgnoreFile(report, [{ checkId, reason: "known, SEC-7" }], NOW);
    expect(githubStepSummary(marked)).toMatch(new RegExp(`### Accepted[\\s\\S]*\`${checkId.replace(".", "\\.")}\`[^\\n]*"known, SEC-7"`));
    expect(githubAnnotations(marked).some((l) => l.includes(`authproof ${checkId} [`))).toBe(false);
    expect(githubAnnotations(report).some((l) => l.includes(`authproof ${checkId} [`))).toBe(true);
  });
});

describe("toCurlWithVariables", () => {
  test("puts variables where the values were and quotes the rest so a shell gives back the request", () => {
    const token = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1MSJ9.";
    const line = toCurlWithVariables(
      { method: "POST", url: `http://127.0.0.1:8000/api/x?access_token=${token}`, headers: { authorization: `Bearer ${token}`, "x-note": `it's "$HOME"` }, body: '{"a":"$b"}' },
      { AUTHPROOF_TOKEN: token },
    );
    expect(line).toBe(
      `curl -sS -i -X 'POST' -H "authorization: Bearer \${AUTHPROOF_TOKEN}" -H 'x-note: it'\\''s "$HOME"' --data-raw '{"a":"$b"}' "http://127.0.0.1:8000/api/x?access_token=\${AUTHPROOF_TOKEN}"`,
    );
  });
});

describe("the HTML report", () => {
  test("shows an acceptance's reason and gives each reproduce block an authproof replay command to copy", async () => {
    const { renderHtml, esc } = await import("../src/report/html.ts");
    const report = buildReport();
    const finding = report.findings.find((f) => f.relatedFinding === undefined)!;
    const html = renderHtml(applyIgnoreFile(report, [{ checkId: finding.checkId, reason: "accepted <because>" }], NOW));
    expect(html).toContain("Accepted (authproof.ignore.json).</strong> accepted &lt;because&gt;");
    const reproducible = report.results.find((r) => r.status === "fail" && r.reproduce)!;
    expect(html).toContain(`data-replay-id="${esc(reproducible.id)}"`);
    expect(html).toContain(esc(`authproof replay report.json '${reproducible.id}'`));
  });
});

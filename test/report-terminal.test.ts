import { describe, expect, it } from "vitest";
import { skippedText, summaryLine, terminalSummary } from "../src/report/terminal.ts";
import { buildAlgNoneReport, buildReport } from "./report-fixture.ts";

describe("terminal summary", () => {
  const report = buildAlgNoneReport();
  const lines = terminalSummary(report);

  it("prints one ✗ line per finding with its route count, the linked property failure under it", () => {
    const failures = lines.filter((l) => l.startsWith("✗"));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(/^✗ token\.alg-none \[critical\] on 8 routes \(GET \/api\/me, GET \/api\/tasks, GET \/api\/tasks\/\{task_id\}, \+5 more\) — 32 of 38 variants/);
    const linked = lines.findIndex((l) => l.startsWith("  ↳ property.token-rejection GET /api/me reproduces it:"));
    expect(linked).toBe(lines.indexOf(failures[0]!) + 1);
    expect(lines[linked]).toContain('path "7:0:0"');
    expect(lines[linked + 1]).toContain("counterexample: base: A's token");
  });

  it("always says how many results were skipped, grouped by reason, and names the oracle checks of a black-box run", () => {
    expect(summaryLine(report)).toBe(
      "authproof: FAIL — 1 finding (1 critical), 1 property failure linked to it; 8 passed, 9 failed, 0 errors; skipped 8: 8 need a signing key (shared secret or a private key the target trusts); seed 7",
    );
    expect(lines.at(-1)).toMatch(/^note: black-box run \(no signing key\): 8 results of 2 checks skipped \(claims\.exp-expired, claims\.sub\)/);
    const none = buildReport({ results: buildReport().results.filter((r) => r.status !== "skip") });
    expect(skippedText(none)).toBe("skipped 0");
    expect(terminalSummary(none).some((l) => l.startsWith("note:"))).toBe(false);
  });

  it("groups errors per check and keeps unlinked property failures on their own line", () => {
    const other = terminalSummary(buildReport());
    expect(other.filter((l) => l.startsWith("✗"))).toHaveLength(6);
    expect(other).toContain("! token.malformed on 1 route (GET /api/tasks) — could not decide: Timed out after 10 s on the 1 MB header variant; the check could not be decided.");
    expect(other.some((l) => l.startsWith("✗ property.token-rejection [critical] on 1 route (GET /api/me)"))).toBe(true);
  });
});

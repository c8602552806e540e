import { describe, expect, test } from "vitest";
import flawRegistry from "../reference-app/flaws.json" with { type: "json" };
import { getCheck, type CheckId } from "../src/catalogue/checks.ts";
import { checkIdsWith, runCli } from "./helpers/cli.ts";

// The self-validation matrix: with each seeded flaw switched on, the audit fails exactly the checks
// the flaw registry names, with evidence, and exits 1. Browser, CORS, cookie, CSRF and property
// flaws are proven by their own suites' tests.

const OTHER_SUITES = ["property", "browser", "cors", "cookie", "csrf"];
const flaws = flawRegistry.flaws.filter((flaw) => flaw.checks.every((id) => !OTHER_SUITES.includes(id.split(".")[0]!)));

describe.concurrent("each seeded flaw fails exactly its checks", () => {
  for (const flaw of flaws) {
    const mode = flaw.modes[0]!;
    test(`${flaw.name} (${mode}) → ${flaw.checks.join(", ")}`, async () => {
      // A flaw that needs extra flags (a destructive route) is audited on its own checks only: sending such a
      // route wipes the audit's objects too, which would leave the other checks nothing to judge.
      const args = (flaw as { args?: string[] }).args;
      const extra = args ? [...args, "--only", flaw.checks.join(",")] : [];
      // Only the families a flaw affects run: the others are proven clean on the secure app elsewhere.
      const families = [...new Set(flaw.checks.map((id) => id.split(".")[0]!))];
      const run = await runCli(["reference", "--mode", mode, "--flaws", flaw.name, "--skip", OTHER_SUITES.join(","), "--seed", "7", "--fail-on", "low", "--reporter", "json", ...(args ? [] : ["--only", families.join(",")]), ...extra]);
      expect(run.report, run.stderr).toBeDefined();
      const failing = checkIdsWith(run.report!, "fail");
      expect(failing).toEqual([...flaw.checks].sort());
      expect(checkIdsWith(run.report!, "error")).toEqual([]);
      // No detection is lost, and none changes weight by accident: the worst severity each check reports.
      const rank = { info: 0, low: 1, medium: 2, high: 3, critical: 4 } as const;
      for (const checkId of flaw.checks) {
        const worst = run.report!.results
          .filter((r) => r.checkId === checkId && r.status === "fail")
          .map((r) => r.severity)
          .sort((a, b) => rank[b] - rank[a])[0];
        const expected = (flaw as { severity?: Record<string, string> }).severity?.[checkId] ?? getCheck(checkId as CheckId).severity;
        expect(worst, `${checkId} severity`).toBe(expected);
      }
      for (const result of run.report!.results.filter((r) => r.status === "fail")) {
        expect(result.reason, result.id).toBeTruthy();
        const evidence = (result.evidence?.exchanges.length ?? 0) + (result.evidence?.notes?.length ?? 0);
        expect(evidence, result.id).toBeGreaterThan(0);
      }
      expect(run.code).toBe(1);
    }, 300_000);
  }
});

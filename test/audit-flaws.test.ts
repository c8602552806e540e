import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import flawRegistry from "../reference-app/flaws.json" with { type: "json" };
import { getCheck, type CheckId } from "../src/catalogue/checks.ts";
import { checkIdsWith, runCli } from "./helpers/cli.ts";
import { flawGroups, type RegistryFlaw } from "./helpers/flaw-groups.ts";

// The self-validation matrix: with seeded flaws switched on, the audit fails exactly the checks the flaw
// registry names, with evidence, and exits 1. Browser, CORS, cookie, CSRF and property flaws are proven by
// their own suites' tests. Flaws of one mode whose checks lie in different families share one app and one
// audit (see flawGroups): each family's failures can then come from one flaw only.

const OTHER_SUITES = ["property", "browser", "cors", "cookie", "csrf"];
const flaws = (flawRegistry.flaws as RegistryFlaw[]).filter((flaw) => flaw.checks.every((id) => !OTHER_SUITES.includes(id.split(".")[0]!)));
const rank = { info: 0, low: 1, medium: 2, high: 3, critical: 4 } as const;

// session.cookie-cache-window polls a signed-out session until the policy is exceeded: a 10 s policy shows the
// seeded 5-minute caches after about 15 s instead of the default 60 s policy's 65 s.
const configDir = mkdtempSync(path.join(tmpdir(), "authproof-flaws-"));
const shortCachePolicy = path.join(configDir, "authproof.config.json");
writeFileSync(shortCachePolicy, JSON.stringify({ policy: { maxSessionCacheSec: 10 } }));

describe.concurrent("each seeded flaw fails exactly its checks", () => {
  for (const group of flawGroups(flaws)) {
    const checks = [...new Set(group.flaws.flatMap((flaw) => flaw.checks))].sort();
    const names = group.flaws.map((flaw) => flaw.name);
    test(`${names.join(" + ")} (${group.mode}) → ${checks.join(", ")}`, async () => {
      // A flaw that needs extra flags (a destructive route) is audited alone on its own checks: sending such a
      // route wipes the audit's objects too, which would leave the other checks nothing to judge.
      const args = group.flaws[0]!.args;
      const only = args ? [...args, "--only", checks.join(",")] : ["--only", group.families.join(",")];
      const config = group.mode === "session" ? ["--config", shortCachePolicy] : [];
      const run = await runCli(["reference", "--mode", group.mode, "--flaws", names.join(","), "--skip", OTHER_SUITES.join(","), "--seed", "7", "--fail-on", "low", "--reporter", "json", ...config, ...only]);
      expect(run.report, run.stderr).toBeDefined();
      expect(checkIdsWith(run.report!, "fail")).toEqual(checks);
      expect(checkIdsWith(run.report!, "error")).toEqual([]);
      // No detection is lost, and none changes weight by accident: the worst severity each check reports.
      for (const flaw of group.flaws) {
        for (const checkId of flaw.checks) {
          const worst = run.report!.results
            .filter((r) => r.checkId === checkId && r.status === "fail")
            .map((r) => r.severity)
            .sort((a, b) => rank[b] - rank[a])[0];
          expect(worst, `${flaw.name}: ${checkId} severity`).toBe(flaw.severity?.[checkId] ?? getCheck(checkId as CheckId).severity);
        }
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

// The renderers over the real check catalogue: every check becomes a valid SARIF rule, every reference a link.
import { execFile } from "node:child_process";
import { chmod, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { CHECKS } from "../src/catalogue/checks.ts";
import { renderHtml } from "../src/report/html.ts";
import { refUrl } from "../src/report/refs.ts";
import { renderSarif } from "../src/report/sarif.ts";
import { withFindings } from "../src/report/findings.ts";
import { SCHEMA_VERSION, type Report, type Result } from "../src/report/schema.ts";
import { validateReport } from "../src/report/validate.ts";

const multitool = fileURLToPath(new URL("../node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool", import.meta.url));

function catalogueReport(): Report {
  const results: Result[] = CHECKS.map((check, i) => {
    const endpoint = i % 2 === 0 ? { method: "get", path: "/api/tasks/{id}" } : undefined;
    return {
      id: endpoint ? `${check.id} ${endpoint.method.toUpperCase()} ${endpoint.path}` : check.id,
      checkId: check.id,
      title: check.title,
      category: check.category,
      severity: check.severity,
      status: (["fail", "pass", "skip", "error"] as const)[i % 4]!,
      ...(endpoint ? { endpoint } : {}),
      reason: `reason for ${check.id}`,
      refs: [...check.refs],
    };
  });
  return withFindings({
    schemaVersion: SCHEMA_VERSION,
    run: { state: "complete" },
    tool: { name: "authproof", version: "0.1.0" },
    runId: "catalogue-run",
    target: { apiUrl: "http://127.0.0.1:8000", mode: "shared-secret", oracle: "secret" },
    startedAt: "2026-05-01T00:00:00Z",
    durationMs: 1000,
    seed: 7,
    policy: { failOn: "high", foreignStatus: "either", maxTokenLifetimeSec: 3600 },
    checks: CHECKS.map((check) => ({ ...check, refs: [...check.refs] })),
    results,
  });
}

describe("renderers over the real catalogue", () => {
  const report = validateReport(catalogueReport());

  it("has a result id per check that the schema accepts", () => {
    expect(report.results).toHaveLength(CHECKS.length);
    expect(report.results[0]!.id).toMatch(/ GET \/api\/tasks\/\{id\}$/);
  });

  it("links every catalogue reference to a public page", () => {
    const unlinked = [...new Set(CHECKS.flatMap((c) => c.refs))].filter((ref) => refUrl(ref) === undefined);
    expect(unlinked, "teach src/report/refs.ts these reference forms").toEqual([]);
  });

  it("renders HTML with every check's title", () => {
    const html = renderHtml(report);
    for (const check of CHECKS) expect(html).toContain(check.id);
  });

  it("produces SARIF the Multitool accepts with GitHub rules (no errors, no warnings)", async () => {
    await chmod(multitool, 0o755);
    const dir = await mkdtemp(join(tmpdir(), "authproof-sarif-cat-"));
    await writeFile(join(dir, "in.sarif"), renderSarif(report));
    await promisify(execFile)(
      multitool,
      ["validate", join(dir, "in.sarif"), "-o", join(dir, "out.sarif"), "--rule-kind", "Gh;Sarif", "--log", "ForceOverwrite"],
      { env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: "1", DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: "1" } },
    );
    const log = JSON.parse(await readFile(join(dir, "out.sarif"), "utf8")) as { runs: Array<{ results?: Array<{ ruleId: string; level?: string }> }> };
    const findings = (log.runs[0]!.results ?? []).filter((r) => (r.level ?? "warning") !== "note");
    expect(findings).toEqual([]);
  });
});

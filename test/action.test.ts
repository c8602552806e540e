import { execFile, execFileSync, spawn } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parse as parseYaml } from "yaml";
import { startReference, type ReferenceApp } from "../src/reference/launch.ts";
import { REPO_ROOT } from "./helpers/cli.ts";

// The GitHub Action: its YAML checked (structure here, actionlint where installed), and its steps run the way
// the runner runs a composite action — each `run:` step with bash, its env expressions filled in from the
// inputs and earlier step outputs — against a flawed reference app, producing the step summary file.

const run = promisify(execFile);
const ACTION = path.join(REPO_ROOT, "action.yml");
const EXAMPLE = path.join(REPO_ROOT, "examples", "github-actions", "audit-staging.yml");

interface Step {
  name: string;
  id?: string;
  if?: string;
  uses?: string;
  shell?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}
interface ActionYaml {
  inputs: Record<string, { default?: string; required?: boolean }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

const action = parseYaml(readFileSync(ACTION, "utf8")) as ActionYaml;

/** Fills in `${{ inputs.x }}` and `${{ steps.id.outputs.y }}`; any other expression is an error (the runner here knows no more). */
function expand(text: string, inputs: Record<string, string>, outputs: Record<string, Record<string, string>>): string {
  return text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_all, expr: string) => {
    const input = /^inputs\.([\w-]+)$/.exec(expr);
    if (input) return inputs[input[1]!] ?? action.inputs[input[1]!]?.default ?? "";
    const output = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expr);
    if (output) return outputs[output[1]!]?.[output[2]!] ?? "";
    throw new Error(`unsupported expression in action.yml: ${expr}`);
  });
}

function actionlintBinary(): string | undefined {
  const candidates = [path.join(process.env.GOPATH ?? path.join(homedir(), "go"), "bin", "actionlint"), "/usr/local/bin/actionlint", "/usr/bin/actionlint"];
  try {
    candidates.unshift(execFileSync("sh", ["-c", "command -v actionlint"]).toString().trim());
  } catch {
    // not on PATH
  }
  return candidates.find((c) => c && existsSync(c));
}

describe("action.yml", () => {
  test("is a composite action whose steps use only defined inputs, earlier step outputs and scripts that exist", () => {
    expect(action.runs.using).toBe("composite");
    const ids: string[] = [];
    for (const step of action.runs.steps) {
      expect(Boolean(step.uses) !== Boolean(step.run), `${step.name}: exactly one of uses / run`).toBe(true);
      if (step.run) expect(step.shell, step.name).toBe("bash");
      const text = JSON.stringify(step);
      for (const [, name] of text.matchAll(/inputs\.([\w-]+)/g)) expect(Object.keys(action.inputs), `${step.name}: inputs.${name}`).toContain(name);
      for (const [, id] of text.matchAll(/steps\.([\w-]+)\.outputs/g)) expect(ids, `${step.name}: steps.${id} runs before it`).toContain(id);
      for (const [, script] of (step.run ?? "").matchAll(/\$GITHUB_ACTION_PATH\/([\w./-]+)/g)) expect(existsSync(path.join(REPO_ROOT, script!)), script).toBe(true);
      if (step.id) ids.push(step.id);
    }
    const uses = action.runs.steps.flatMap((s) => (s.uses ? [s.uses.split("@")[0]] : []));
    expect(uses).toEqual(expect.arrayContaining(["github/codeql-action/upload-sarif", "actions/upload-artifact"]));
  });

  const actionlint = actionlintBinary();
  if (!actionlint) console.log("actionlint skipped: no actionlint binary (go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12)");
  test.skipIf(!actionlint)("actionlint accepts the example workflow, checked against action.yml's inputs, and catches a misspelt input", async () => {
    const repo = mkdtempSync(path.join(tmpdir(), "authproof-actionlint-"));
    execFileSync("git", ["init", "-q", repo]);
    copyFileSync(ACTION, path.join(repo, "action.yml"));
    cpSync(path.join(REPO_ROOT, "scripts", "action"), path.join(repo, "scripts", "action"), { recursive: true });
    mkdirSync(path.join(repo, ".github", "workflows"), { recursive: true });
    const workflow = readFileSync(EXAMPLE, "utf8").replace(/uses: authproof\/authproof@\S+/, "uses: ./");
    writeFileSync(path.join(repo, ".github", "workflows", "audit-staging.yml"), workflow);
    await run(actionlint!, [], { cwd: repo });
    writeFileSync(path.join(repo, ".github", "workflows", "audit-staging.yml"), workflow.replace("api-url:", "api-adress:"));
    const bad = await run(actionlint!, [], { cwd: repo }).then(
      () => "",
      (error: { stdout: string }) => error.stdout,
    );
    expect(bad).toMatch(/input "api-adress" is not defined in action/);
  });
});

describe("the action's steps, run locally", () => {
  const SECRET = "action-test-secret-0123456789abcdef";
  let app: ReferenceApp;
  let tarball: string;
  let workspace: string;
  const outputs: Record<string, Record<string, string>> = {};
  const logs: Array<{ step: string; code: number | null; stdout: string; stderr: string }> = [];
  let summaryFile: string;

  beforeAll(async () => {
    const packDir = mkdtempSync(path.join(tmpdir(), "authproof-pack-"));
    [app] = await Promise.all([
      startReference({ mode: "shared-secret", flaws: ["alg-none"], secret: SECRET }),
      // dist/ is built by test/global-setup.ts: prepack would rebuild it under the other tests running it
      run("npm", ["pack", "--ignore-scripts", "--pack-destination", packDir], { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 }),
    ]);
    tarball = path.join(packDir, readdirSync(packDir).find((f) => f.endsWith(".tgz"))!);
    workspace = mkdtempSync(path.join(tmpdir(), "authproof-workspace-"));
    writeFileSync(path.join(workspace, "authproof.config.json"), JSON.stringify({ auth: { tokenPath: "/api/backend-token" }, rate: { rps: 0 } }));
    summaryFile = path.join(workspace, "step-summary.md");
    writeFileSync(summaryFile, "");
    const inputs = { "api-url": app.apiUrl, "auth-url": app.webUrl, mode: "shared-secret", only: "token.alg-none,token.signature-stripped", package: tarball };
    const runnerTemp = mkdtempSync(path.join(tmpdir(), "authproof-runner-"));
    const base = Object.fromEntries(Object.entries(process.env).filter(([n]) => !/^(VITEST|NODE_ENV$|AUTHPROOF_|BETTER_AUTH_SECRET$|npm_)/.test(n))) as Record<string, string>;
    for (const step of action.runs.steps) {
      if (step.uses) continue; // actions of other repositories: their inputs are checked below
      if (step.if !== undefined && step.if !== "always()") throw new Error(`${step.name}: the local runner only knows if: always()`);
      const outputFile = path.join(runnerTemp, `output-${logs.length}`);
      writeFileSync(outputFile, "");
      const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(String(v), inputs, outputs)]));
      const child = spawn("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run!], {
        cwd: workspace,
        env: { ...base, ...env, CI: "true", GITHUB_ACTIONS: "true", GITHUB_ACTION_PATH: REPO_ROOT, GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summaryFile, RUNNER_TEMP: runnerTemp, AUTHPROOF_NPM_FLAGS: "--prefer-offline", BETTER_AUTH_SECRET: SECRET },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (c) => (stdout += c));
      child.stderr.on("data", (c) => (stderr += c));
      const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
      logs.push({ step: step.name, code, stdout, stderr });
      if (step.id) outputs[step.id] = Object.fromEntries(readFileSync(outputFile, "utf8").trim().split("\n").filter(Boolean).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
    }
  }, 600_000);

  afterAll(async () => {
    await app?.stop();
  });

  const log = (name: string) => logs.find((l) => l.step === name)!;

  test("install and audit succeed as steps, and the verdict step fails the job on the seeded flaw", () => {
    expect(log("Install authproof").code, log("Install authproof").stderr).toBe(0);
    expect(log("Audit").code, log("Audit").stderr).toBe(0);
    expect(outputs.audit!["exit-code"]).toBe("1");
    expect(log("Verdict").code).toBe(1);
  });

  test("writes the step summary file: verdict, counts, top findings", () => {
    const summary = readFileSync(summaryFile, "utf8");
    expect(summary).toMatch(/^## authproof: ❌ FAIL/m);
    expect(summary).toMatch(/\| critical \| [1-9]\d* \|/);
    expect(summary).toMatch(/### Top findings[\s\S]*`token\.alg-none`/);
  });

  test("emits ::error annotations on the project's file", () => {
    expect(log("Job summary and annotations").stdout).toMatch(/^::error file=authproof\.config\.json,title=authproof token\.alg-none \[critical\]::.+/m);
  });

  test("hands the SARIF and the report directory to the upload steps", () => {
    const sarif = action.runs.steps.find((s) => s.uses?.startsWith("github/codeql-action/upload-sarif"))!;
    expect(existsSync(path.resolve(workspace, expand(sarif.with!.sarif_file!, {}, outputs)))).toBe(true);
    const artifact = action.runs.steps.find((s) => s.uses?.startsWith("actions/upload-artifact"))!;
    expect(existsSync(path.resolve(workspace, expand(artifact.with!.path!, {}, outputs)))).toBe(true);
    const dir = path.resolve(workspace, outputs.audit!["report-dir"]!);
    expect(readdirSync(dir).sort()).toEqual(["junit.xml", "report.html", "report.json", "results.sarif"]);
  });
});

import { execFile } from "node:child_process";
import { chmod, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const multitool = fileURLToPath(new URL("../../node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool", import.meta.url));

/** Runs the SARIF Multitool with GitHub's ingestion rules and returns the results it reports. */
export async function multitoolFindings(sarifText: string): Promise<Array<{ ruleId: string; level: string; message: string }>> {
  await chmod(multitool, 0o755);
  const dir = await mkdtemp(join(tmpdir(), "authproof-sarif-"));
  const input = join(dir, "results.sarif");
  const output = join(dir, "validation.sarif");
  await writeFile(input, sarifText);
  await run(multitool, ["validate", input, "-o", output, "--rule-kind", "Gh;Sarif", "--log", "ForceOverwrite"], {
    env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: "1", DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: "1" },
  });
  const log = JSON.parse(await readFile(output, "utf8")) as {
    runs: Array<{ results?: Array<{ ruleId: string; level?: string; message: { text?: string; id?: string; arguments?: string[] } }> }>;
  };
  return (log.runs[0]!.results ?? []).map((r) => ({
    ruleId: r.ruleId,
    level: r.level ?? "warning",
    message: r.message.text ?? `${r.message.id}: ${(r.message.arguments ?? []).join(", ")}`,
  }));
}


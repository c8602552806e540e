import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { reportJsonSchema, SCHEMA_FILE } from "./schema.ts";

/** The published JSON Schema file's exact text (what the committed file must equal). */
export function reportJsonSchemaText(): string {
  return `${JSON.stringify(reportJsonSchema(), null, 2)}\n`;
}

/**
 * Regenerates reports/schema/report-<version>.schema.json under `repoRoot`.
 * Run: `node --import tsx src/report/export-schema.ts`.
 */
export async function exportReportJsonSchema(repoRoot: string): Promise<string> {
  const file = join(repoRoot, SCHEMA_FILE);
  await writeFile(file, reportJsonSchemaText(), "utf8");
  return file;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
  console.log(`wrote ${await exportReportJsonSchema(repoRoot)}`);
}

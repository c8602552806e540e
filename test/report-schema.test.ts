import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ReportError } from "../src/report/errors.ts";
import { reportJsonSchemaText } from "../src/report/export-schema.ts";
import { loadReport, parseReportText } from "../src/report/load.ts";
import { ReportSchema, SCHEMA_FILE, SCHEMA_VERSION, type Report } from "../src/report/schema.ts";
import { validateReport } from "../src/report/validate.ts";
import { buildBaseline, buildReport } from "./report-fixture.ts";

const repoRoot = fileURLToPath(new URL("../", import.meta.url));

type JsonSchema = Record<string, unknown>;

/**
 * A validator for the JSON Schema subset zod emits for the report (type, properties, required,
 * additionalProperties, propertyNames, items, minItems, enum, const, anyOf, pattern, minimum, exclusiveMinimum, maximum, minLength,
 * $ref into $defs). Returns the paths that violate it.
 */
function validateJsonSchema(root: JsonSchema, value: unknown): string[] {
  const errors: string[] = [];
  const defs = (root.$defs ?? {}) as Record<string, JsonSchema>;
  const known = new Set([
    "$schema", "$id", "title", "description", "$defs", "type", "properties", "required", "additionalProperties",
    "propertyNames", "items", "enum", "const", "anyOf", "pattern", "format", "minimum", "exclusiveMinimum", "maximum", "minLength",
    "minItems", "$ref",
  ]);
  const typeOf = (v: unknown): string =>
    v === null ? "null" : Array.isArray(v) ? "array" : Number.isInteger(v) ? "integer" : typeof v;
  const visit = (schema: JsonSchema, v: unknown, path: string): void => {
    for (const key of Object.keys(schema)) if (!known.has(key)) errors.push(`${path}: validator does not know keyword ${key}`);
    if (typeof schema.$ref === "string") {
      const name = schema.$ref.replace("#/$defs/", "");
      const target = defs[name];
      if (!target) errors.push(`${path}: unresolved ${schema.$ref}`);
      else visit(target, v, path);
    }
    if (schema.type !== undefined) {
      const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
      const actual = typeOf(v);
      const ok = types.some((t) => t === actual || (t === "number" && actual === "integer"));
      if (!ok) {
        errors.push(`${path}: expected ${types.join("|")}, got ${actual}`);
        return;
      }
    }
    if (schema.enum && !(schema.enum as unknown[]).includes(v)) errors.push(`${path}: ${JSON.stringify(v)} not in enum`);
    if ("const" in schema && schema.const !== v) errors.push(`${path}: expected const ${JSON.stringify(schema.const)}`);
    if (typeof v === "string") {
      if (typeof schema.pattern === "string" && !new RegExp(schema.pattern, "u").test(v)) errors.push(`${path}: does not match pattern`);
      if (typeof schema.minLength === "number" && [...v].length < schema.minLength) errors.push(`${path}: shorter than ${schema.minLength}`);
    }
    if (typeof v === "number") {
      if (typeof schema.minimum === "number" && v < schema.minimum) errors.push(`${path}: below ${schema.minimum}`);
      if (typeof schema.maximum === "number" && v > schema.maximum) errors.push(`${path}: above ${schema.maximum}`);
      if (typeof schema.exclusiveMinimum === "number" && v <= schema.exclusiveMinimum) errors.push(`${path}: not above ${schema.exclusiveMinimum}`);
    }
    if (schema.anyOf) {
      const branches = schema.anyOf as JsonSchema[];
      const passing = branches.filter((branch) => {
        const before = errors.length;
        visit(branch, v, path);
        const failed = errors.length > before;
        errors.length = before;
        return !failed;
      });
      if (passing.length === 0) errors.push(`${path}: matches no anyOf branch`);
    }
    if (Array.isArray(v) && typeof schema.minItems === "number" && v.length < schema.minItems) errors.push(`${path}: fewer than ${schema.minItems} items`);
    if (Array.isArray(v) && schema.items) v.forEach((item, i) => visit(schema.items as JsonSchema, item, `${path}[${i}]`));
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      const obj = v as Record<string, unknown>;
      const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
      for (const key of (schema.required ?? []) as string[]) if (!(key in obj)) errors.push(`${path}.${key}: required`);
      for (const [key, child] of Object.entries(obj)) {
        if (props[key]) visit(props[key], child, `${path}.${key}`);
        else if (schema.additionalProperties === false) errors.push(`${path}.${key}: additional property`);
        else if (typeof schema.additionalProperties === "object") visit(schema.additionalProperties as JsonSchema, child, `${path}.${key}`);
        if (schema.propertyNames) visit(schema.propertyNames as JsonSchema, key, `${path}{${key}}`);
      }
    }
  };
  visit(root, value, "$");
  return errors;
}

describe("report schema", () => {
  it("round-trips a realistic report through JSON unchanged", () => {
    const report = buildReport();
    const parsed = ReportSchema.parse(JSON.parse(JSON.stringify(report)));
    expect(parsed).toEqual(JSON.parse(JSON.stringify(report)));
    expect(parsed.schemaVersion).toBe(SCHEMA_VERSION);
  });

  it("keeps the committed JSON Schema file equal to the one generated from zod", async () => {
    const committed = await readFile(join(repoRoot, SCHEMA_FILE), "utf8");
    expect(committed, "run: node --import tsx src/report/export-schema.ts").toBe(reportJsonSchemaText());
  });

  it("validates realistic reports against the published JSON Schema", async () => {
    const schema = JSON.parse(await readFile(join(repoRoot, SCHEMA_FILE), "utf8")) as JsonSchema;
    expect(validateJsonSchema(schema, JSON.parse(JSON.stringify(buildReport())))).toEqual([]);
    expect(validateJsonSchema(schema, JSON.parse(JSON.stringify(buildBaseline())))).toEqual([]);
  });

  it("makes the JSON Schema reject what zod rejects (the validator is not vacuous)", async () => {
    const schema = JSON.parse(await readFile(join(repoRoot, SCHEMA_FILE), "utf8")) as JsonSchema;
    const bad = JSON.parse(JSON.stringify(buildReport())) as Record<string, any>;
    bad.results[0].status = "maybe";
    bad.results[1].severity = "urgent";
    bad.startedAt = "yesterday";
    delete bad.seed;
    bad.extra = 1;
    const errors = validateJsonSchema(schema, bad);
    expect(errors).toEqual(
      expect.arrayContaining([
        "$.results[0].status: \"maybe\" not in enum",
        "$.results[1].severity: \"urgent\" not in enum",
        "$.startedAt: does not match pattern",
        "$.seed: required",
        "$.extra: additional property",
      ]),
    );
  });

  it("names the bad field when a report is invalid", () => {
    const bad = buildReport() as Record<string, any>;
    bad.results[2].status = "maybe";
    const error = (() => {
      try {
        validateReport(bad, "x.json");
      } catch (e) {
        return e as ReportError;
      }
      throw new Error("accepted an invalid report");
    })();
    expect(error).toBeInstanceOf(ReportError);
    expect(error.code).toBe("REPORT_INVALID");
    expect(error.message).toContain("results[2].status");
    expect(error.issues.some((i) => i.startsWith("results[2].status:"))).toBe(true);
  });

  it("rejects duplicate result ids, unknown checks and a summary that disagrees with the results", () => {
    const report = buildReport();
    report.results.push({ ...report.results[0]! });
    report.results.push({ ...report.results[1]!, id: "ghost", checkId: "token.ghost" });
    report.summary.failed = 99;
    const parsed = ReportSchema.safeParse(report);
    expect(parsed.success).toBe(false);
    const messages = parsed.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^results\.13\.id: duplicate result id/),
        expect.stringMatching(/^results\.14\.checkId: check "token.ghost" is not listed/),
        expect.stringMatching(/^summary\.failed: is 99/),
        expect.stringMatching(/^summary\.verdict|^summary\.bySeverity|^summary\.failed/),
      ]),
    );
  });

  it("refuses run ids that are not safe directory names", () => {
    for (const runId of ["../escape", "latest", "a/b", "", ".hidden"]) {
      expect(ReportSchema.safeParse(buildReport({ runId })).success, runId).toBe(false);
    }
  });

  it("loads a report file and reports missing files, broken JSON and other versions by code", async () => {
    const dir = await mkdtemp(join(tmpdir(), "authproof-load-"));
    const good = join(dir, "report.json");
    await writeFile(good, JSON.stringify(buildReport()));
    const loaded: Report = await loadReport(good);
    expect(loaded.runId).toBe("20260501-101203-a1b2c3");

    await expect(loadReport(join(dir, "nope.json"))).rejects.toMatchObject({ code: "REPORT_NOT_FOUND" });
    expect(() => parseReportText("{ not json", "r.json")).toThrow(expect.objectContaining({ code: "REPORT_NOT_JSON" }));
    expect(() => parseReportText(JSON.stringify({ ...buildReport(), schemaVersion: "2.0.0" }))).toThrow(
      expect.objectContaining({ code: "REPORT_UNSUPPORTED_VERSION" }),
    );
    expect(() => parseReportText(JSON.stringify({ hello: 1 }))).toThrow(expect.objectContaining({ code: "REPORT_INVALID" }));
  });
});

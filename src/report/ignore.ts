import { readFile } from "node:fs/promises";
import { z } from "zod";
import { CHECKS } from "../catalogue/checks.ts";
import { AuthproofError } from "../errors.ts";
import { endpointLabel } from "./format.ts";
import { summaryOf } from "./summary.ts";
import type { Acceptance, Finding, Report, Result } from "./schema.ts";

/** A bad ignore file: one line naming the entry and field, e.g. `authproof.ignore.json: [1].reason: required`. */
export class IgnoreFileError extends AuthproofError<"IGNORE_FILE_INVALID"> {
  constructor(file: string, field: string, detail: string) {
    super("IGNORE_FILE_INVALID", `${file}: ${field}: ${detail}`);
  }
}

const KNOWN_CHECKS = new Set<string>(CHECKS.map((c) => c.id));

const IgnoreEntrySchema = z.strictObject({
  checkId: z.string().refine((id) => KNOWN_CHECKS.has(id), { error: "not a check id (see authproof checks)" }),
  route: z
    .string()
    .regex(/^[A-Za-z]+ \/\S*$/, { error: 'expected "METHOD /path", e.g. "GET /api/tasks/{id}"' })
    .optional(),
  reason: z.string().trim().min(1, { error: "required: say why this is accepted" }),
  expires: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: "expected a date YYYY-MM-DD" })
    .refine((d) => !Number.isNaN(Date.parse(d)), { error: "not a calendar date" })
    .optional(),
});

export const IgnoreFileSchema = z.array(IgnoreEntrySchema);

/** One `authproof.ignore.json` entry: a check (optionally on one route) accepted for a reason, until an optional last day. */
export type IgnoreEntry = z.infer<typeof IgnoreEntrySchema>;

/**
 * Parses the ignore file's text; throws IgnoreFileError naming the first bad entry and field.
 *
 * @example parseIgnoreFile('[{"checkId":"cors.wildcard","reason":"public API"}]', "authproof.ignore.json")
 */
export function parseIgnoreFile(text: string, file: string): IgnoreEntry[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new IgnoreFileError(file, "(file)", `not valid JSON (${(error as Error).message.split("\n")[0]})`);
  }
  const parsed = IgnoreFileSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "") || "(file)";
  const detail =
    issue.code === "unrecognized_keys"
      ? `unknown key ${issue.keys.map((k) => JSON.stringify(k)).join(", ")} (expected checkId, route, reason, expires)`
      : issue.code === "invalid_type" && issue.path.length <= 1
        ? `expected ${issue.path.length === 0 ? "an array of" : "an object"} { checkId, route?, reason, expires? }`
        : issue.code === "invalid_type"
          ? /received undefined/.test(issue.message) ? "required" : `expected a ${issue.expected}`
          : issue.message;
  throw new IgnoreFileError(file, field, detail);
}

/** Reads and validates an ignore file (see parseIgnoreFile). */
export async function loadIgnoreFile(path: string, label = path): Promise<IgnoreEntry[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new IgnoreFileError(label, "(file)", `cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return parseIgnoreFile(text, label);
}

/**
 * Marks every failed result an entry covers: `accepted` (it no longer counts nor fails the run) or, once the
 * entry's `expires` day is over, `expired` (it fails again, the reason still shown). A finding is accepted
 * when all its results are, expired when any is. The summary is recomputed. Pure; earlier marks are replaced.
 *
 * @example const marked = applyIgnoreFile(report, entries, new Date());
 */
export function applyIgnoreFile(report: Report, entries: ReadonlyArray<IgnoreEntry>, now: Date = new Date()): Report {
  const today = now.toISOString().slice(0, 10);
  const results = report.results.map((result): Result => {
    const { acceptance: _previous, ...rest } = result;
    if (result.status !== "fail") return rest;
    const entry = matchingEntry(result, entries);
    return entry ? { ...rest, acceptance: acceptanceOf(entry, today) } : rest;
  });
  const byId = new Map(results.map((r) => [r.id, r]));
  const findings = report.findings.map((finding): Finding => {
    const { acceptance: _previous, ...rest } = finding;
    const marks = finding.resultIds.map((id) => byId.get(id)?.acceptance);
    const expired = marks.find((m) => m?.state === "expired");
    if (expired) return { ...rest, acceptance: expired };
    if (marks.length > 0 && marks.every((m) => m?.state === "accepted")) return { ...rest, acceptance: marks[0]! };
    return rest;
  });
  return { ...report, results, findings, summary: summaryOf(results, findings, report.policy.failOn) };
}

/** The entry for a failed result: a route-specific entry wins over one for the whole check. */
function matchingEntry(result: Result, entries: ReadonlyArray<IgnoreEntry>): IgnoreEntry | undefined {
  const route = endpointLabel(result);
  const forCheck = entries.filter((e) => e.checkId === result.checkId);
  return forCheck.find((e) => e.route !== undefined && normaliseRoute(e.route) === route) ?? forCheck.find((e) => e.route === undefined);
}

function normaliseRoute(route: string): string {
  const [method, ...path] = route.trim().split(" ");
  return `${method!.toUpperCase()} ${path.join(" ").trim()}`;
}

function acceptanceOf(entry: IgnoreEntry, today: string): Acceptance {
  return {
    state: entry.expires !== undefined && entry.expires < today ? "expired" : "accepted",
    reason: entry.reason,
    ...(entry.expires !== undefined ? { expires: entry.expires } : {}),
    ...(entry.route !== undefined ? { route: normaliseRoute(entry.route) } : {}),
  };
}

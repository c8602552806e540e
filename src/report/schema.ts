import { z } from "zod";
import { CATEGORIES, SEVERITIES } from "../catalogue/types.ts";
import { countFindings, summarize } from "./summary.ts";

/**
 * Version of the report.json format. Bump the major for breaking changes; readers refuse other majors and
 * upgrade older minors. 1.1.0 added `run` (1.0 reports load as `{ state: "complete" }`), `findings[]`,
 * `summary.skippedByReason`, `summary.findings` and the optional `impact` / `exploitConfirmed` of results.
 * 1.2.0 added `acceptance` on results and findings (the ignore file), `summary.accepted` and
 * `summary.findings.accepted` (0 in older reports), `source` (where SARIF / JUnit point in the audited
 * repository), a result's `replay` (what `authproof replay` needs to re-mint its token) and `requests`
 * (what the audit sent, per family, and the pace it used), and the target mode `session`. 1.3.0 added a
 * result's `evidence.traces` (Playwright traces of the browser checks, files inside the run directory).
 */
export const SCHEMA_VERSION = "1.3.0";

/** Where the published JSON Schema of this version lives, relative to the repository root. */
export const SCHEMA_FILE = `reports/schema/report-${SCHEMA_VERSION}.schema.json`;

const SeveritySchema = z.enum(SEVERITIES).meta({ id: "Severity", description: "critical > high > medium > low > info" });
const CategorySchema = z.enum(CATEGORIES).meta({ id: "Category" });
const StatusSchema = z
  .enum(["pass", "fail", "skip", "error"])
  .meta({ id: "Status", description: "fail = the target misbehaved; error = the harness could not decide" });

const HeadersSchema = z
  .record(z.string(), z.union([z.string(), z.array(z.string())]))
  .meta({ id: "Headers", description: "Header names as sent/received; repeated headers as arrays. Redacted." });

const ExchangeSchema = z
  .object({
    label: z.string().meta({ description: "What this exchange tried, e.g. 'alg: nOnE, empty signature'" }),
    request: z.object({
      method: z.string(),
      url: z.string(),
      headers: HeadersSchema,
      body: z.string().optional(),
    }),
    response: z
      .object({
        status: z.int().min(0).max(999),
        headers: HeadersSchema,
        body: z.string().meta({ description: "Excerpt of the body, redacted" }),
      })
      .optional(),
    error: z.string().optional().meta({ description: "Why there is no response (timeout, refused, ...)" }),
  })
  .meta({ id: "Exchange" });

const EndpointSchema = z
  .object({
    method: z.string().min(1),
    path: z.string().min(1).meta({ description: "Route template when known, e.g. /api/tasks/{id}" }),
    url: z.string().optional(),
  })
  .meta({ id: "Endpoint" });

const AcceptanceSchema = z
  .object({
    state: z.enum(["accepted", "expired"]).meta({
      description: "accepted = an ignore-file entry covers this failure (it does not count, nor fail the run); expired = the entry's expiry date has passed, so it fails again",
    }),
    reason: z.string().min(1).meta({ description: "Why it was accepted, from the ignore file" }),
    expires: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional().meta({ description: "The entry's last day (YYYY-MM-DD)" }),
    route: z.string().optional().meta({ description: "The entry's route (METHOD /path), when it names one" }),
  })
  .meta({ id: "Acceptance", description: "An authproof.ignore.json entry that matched a failure" });

const ReplaySchema = z
  .object({
    variant: z.string().optional().meta({ description: "The attack variant the reproduce line sends (its name in the check's generator)" }),
    placeholders: z
      .record(z.string().regex(/^AUTHPROOF_[A-Z0-9_]+$/), z.enum(["forged", "user A", "user B", "session A", "session B", "secret"]))
      .meta({ description: "What each $AUTHPROOF_… variable in `reproduce` stands for: the forged token, a user's valid token or session, a secret" }),
  })
  .meta({ id: "Replay", description: "What authproof replay needs to rebuild the request locally (never a token or a secret)" });

const ResultSchema = z
  .object({
    id: z.string().min(1).meta({ description: "Unique in the report: `${checkId} ${method} ${path}` or the check id alone" }),
    checkId: z.string().min(1),
    title: z.string(),
    category: CategorySchema,
    severity: SeveritySchema.meta({
      description: "This result's severity: for a failure, that of its worst failed variant (forgery critical, claims high/medium, leniency info); else the check's",
    }),
    status: StatusSchema,
    impact: z
      .enum(["forgery", "claims", "leniency"])
      .optional()
      .meta({ description: "What the worst failed variant's acceptance means: a token made without the key let in, a validly signed token that must be refused, or the same token spelled differently" }),
    exploitConfirmed: z.boolean().optional().meta({ description: "A forged token's answer came back as the identity it chose" }),
    endpoint: EndpointSchema.optional(),
    reason: z.string().optional().meta({ description: "Why it failed, was skipped or errored" }),
    evidence: z
      .object({
        exchanges: z.array(ExchangeSchema),
        failedVariants: z.array(z.string()).optional(),
        notes: z.array(z.string()).optional(),
        traces: z
          .array(
            z.object({
              path: z.string().min(1).meta({ description: "The trace file, relative to the run directory (`traces/….zip`); open it with `npx playwright show-trace <path>`" }),
              title: z.string(),
            }),
          )
          .optional()
          .meta({ description: "Playwright traces of what the browser did for this result" }),
      })
      .optional(),
    reproduce: z
      .string()
      .optional()
      .meta({ description: "A complete curl command; tokens, cookies and secrets are shell variables ($AUTHPROOF_TOKEN, …) that `authproof replay` fills in" }),
    replay: ReplaySchema.optional(),
    refs: z.array(z.string()),
    variants: z.object({ total: z.int().nonnegative(), failed: z.int().nonnegative() }).optional(),
    counterexample: z
      .object({
        seed: z.int(),
        path: z.string().optional(),
        header: z.unknown().optional(),
        claims: z.unknown().optional(),
        token: z.string().optional(),
        authorization: z.string().optional(),
      })
      .optional()
      .meta({ description: "Shrunk counterexample of a property suite" }),
    durationMs: z.number().nonnegative().optional(),
    baseline: z
      .enum(["new", "fixed", "unchanged"])
      .optional()
      .meta({ description: "Set by --baseline: new = fails now, did not before; unchanged = fails in both; fixed = failed before, passes now" }),
    acceptance: AcceptanceSchema.optional(),
  })
  .meta({ id: "Result" });

const FindingSchema = z
  .object({
    id: z.string().min(1).meta({ description: "`<checkId>#<hash of the failed variant names>`, stable across runs" }),
    checkId: z.string().min(1),
    title: z.string(),
    category: CategorySchema,
    severity: SeveritySchema.meta({ description: "Worst severity of its results" }),
    routes: z.array(EndpointSchema).meta({ description: "Every route this finding failed on (empty for checks without a route)" }),
    resultIds: z.array(z.string().min(1)).min(1).meta({ description: "The results[].id grouped here (all failed, all of checkId)" }),
    failedVariants: z.array(z.string()).meta({ description: "Names of the variants that failed on any of its routes (union, capped at 50)" }),
    failedVariantsTotal: z.int().nonnegative().optional().meta({ description: "How many variant names there were when failedVariants is capped" }),
    reason: z.string().optional().meta({ description: "The reason of its worst result" }),
    exploitConfirmed: z.boolean().optional(),
    relatedFinding: z
      .string()
      .optional()
      .meta({ description: "For a property failure: the scenario finding it reproduces; it is then not counted again in summary.findings" }),
    acceptance: AcceptanceSchema.optional().meta({ description: "accepted: every result of the finding is accepted (not counted, never fails the run); expired: an entry that covered it has expired" }),
  })
  .meta({
    id: "Finding",
    description: "One bug: the failed results of one check that the same verifier behaviour explains (same failed variants), with every affected route",
  });

const CheckSchema = z
  .object({
    id: z.string().min(1),
    title: z.string(),
    category: CategorySchema,
    severity: SeveritySchema,
    sends: z.string(),
    expects: z.string(),
    why: z.string(),
    fix: z.string(),
    refs: z.array(z.string()),
  })
  .meta({ id: "Check" });

const SummarySchema = z.object({
  passed: z.int().nonnegative(),
  failed: z.int().nonnegative(),
  skipped: z.int().nonnegative(),
  errors: z.int().nonnegative(),
  bySeverity: z
    .object(Object.fromEntries(SEVERITIES.map((s) => [s, z.int().nonnegative()])) as Record<
      (typeof SEVERITIES)[number],
      z.ZodInt
    >)
    .meta({ description: "Failed results per severity (accepted ones not included)" }),
  accepted: z.int().nonnegative().meta({ description: "Failed results accepted by the ignore file; not in failed, bySeverity or the verdict" }),
  verdict: z.enum(["pass", "fail"]).meta({ description: "fail iff a failed result is at or above policy.failOn" }),
  skippedByReason: z
    .record(z.string(), z.int().positive())
    .meta({ description: "Skipped results per reason, the reasons normalised (per-route detail stripped); the counts add up to skipped" }),
  findings: z
    .object({
      total: z.int().nonnegative().meta({ description: "Findings without a relatedFinding, not accepted" }),
      accepted: z.int().nonnegative().meta({ description: "Accepted findings (not in total)" }),
      linked: z.int().nonnegative().meta({ description: "Property findings that reproduce a scenario finding (not in total)" }),
      bySeverity: z
        .object(Object.fromEntries(SEVERITIES.map((s) => [s, z.int().nonnegative()])) as Record<(typeof SEVERITIES)[number], z.ZodInt>)
        .meta({ description: "Findings without a relatedFinding and not accepted, per severity" }),
    })
    .meta({ description: "Counts of findings[] (bySeverity above counts failed results)" }),
});

const MatrixSchema = z.object({
  users: z.array(z.object({ label: z.string().min(1), id: z.string() })),
  cells: z.array(
    z.object({
      user: z.string().meta({ description: "A users[].label" }),
      method: z.string(),
      route: z.string(),
      objectOwner: z.string().meta({ description: "Label of the user who owns the object addressed" }),
      expected: z.string().meta({ description: "e.g. '404', '403|404', '200'" }),
      status: z.int().nullable(),
      verdict: z.enum(["enforced", "bypassed", "error"]),
    }),
  ),
});

const BaselineComparisonSchema = z
  .object({
    runId: z.string(),
    startedAt: z.string(),
    counts: z.object({
      new: z.int().nonnegative(),
      fixed: z.int().nonnegative().meta({ description: "Failed in the baseline, re-tested and passing now" }),
      unchanged: z.int().nonnegative(),
      absent: z.int().nonnegative().meta({ description: "Failed in the baseline, not tested in this run" }),
    }),
    fixed: z
      .array(
        z.object({
          id: z.string(),
          checkId: z.string(),
          title: z.string(),
          category: CategorySchema,
          severity: SeveritySchema,
          endpoint: EndpointSchema.optional(),
          now: z
            .enum(["pass", "absent"])
            .meta({ description: "pass = re-tested and passes; absent = not tested in this run (not proven fixed)" }),
        }),
      )
      .meta({ description: "Findings of the baseline that do not fail in this run" }),
  })
  .meta({ description: "Comparison with the report given by --baseline" });

const RunStateSchema = z
  .object({
    state: z.enum(["complete", "partial", "incomplete"]).meta({
      description:
        "complete = every selected check ran; partial = the run ended early (the target stopped answering, it was " +
        "interrupted, or --max-time passed) and holds only the results finished by then; incomplete = the run's " +
        "coverage is empty or broken. Anything but complete exits 2 and is never a PASS.",
    }),
    reason: z.string().optional().meta({ description: "Why the run is not complete, e.g. 'interrupted by SIGTERM'" }),
  })
  .meta({ id: "RunState" });

/** The run identifier doubles as a directory name: keep it to a safe alphabet. */
const RUN_ID_PATTERN = /^(?!latest$)[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

const ShardSchema = z
  .object({
    index: z.int().positive().meta({ description: "Which shard (1-based)" }),
    count: z.int().positive().meta({ description: "Of how many" }),
  })
  .meta({ id: "Shard", description: "Set by --shard i/n: the report holds only this slice of the work (family × unit × check, round-robin); authproof merge joins the n shards" });

const ReportShape = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  tool: z.object({ name: z.literal("authproof"), version: z.string() }),
  runId: z.string().regex(RUN_ID_PATTERN),
  target: z.object({
    apiUrl: z.string(),
    authUrl: z.string().optional(),
    mode: z.enum(["jwks", "shared-secret", "session"]),
    oracle: z.enum(["secret", "private-key", "none"]),
  }),
  startedAt: z.iso.datetime({ offset: true }),
  durationMs: z.number().nonnegative(),
  run: RunStateSchema,
  seed: z.int(),
  shard: ShardSchema.optional(),
  policy: z.object({
    failOn: SeveritySchema,
    foreignStatus: z.enum(["404", "403", "either"]),
    maxTokenLifetimeSec: z.number().positive(),
  }),
  summary: SummarySchema,
  checks: z.array(CheckSchema).meta({ description: "Catalogue entries used in this run" }),
  results: z.array(ResultSchema),
  findings: z.array(FindingSchema).meta({ description: "The failed results grouped: one per check and verifier, listing every affected route" }),
  matrix: MatrixSchema.optional().meta({ description: "User x route x method isolation matrix" }),
  replayBasis: z
    .object({
      users: z.array(
        z.object({
          label: z.enum(["A", "B"]),
          userId: z.string(),
          header: z.record(z.string(), z.unknown()).meta({ description: "Decoded header of the user's real token (never the token)" }),
          claims: z.record(z.string(), z.unknown()).meta({ description: "Decoded claims of the user's real token" }),
        }),
      ),
      publicJwks: z.array(z.record(z.string(), z.unknown())).meta({ description: "The target's public keys (jwks mode)" }),
      expected: z.record(z.string(), z.unknown()).meta({ description: "Expected iss / aud / identity claim / leeway of the run" }),
    })
    .optional()
    .meta({ description: "What authproof replay re-signs with the oracle to re-mint a result's token exactly (the seed is `seed`, the clock `startedAt`)" }),
  source: z
    .object({
      file: z.string().min(1).meta({ description: "Repo-relative file every SARIF alert and JUnit testcase points at (report.sourceFile)" }),
      routes: z.record(z.string(), z.string().min(1)).meta({ description: '"METHOD /path" → file, per route (report.sourceFiles)' }),
    })
    .optional()
    .meta({ description: "Where in the audited repository findings point (default: the config file, else the OpenAPI file)" }),
  baseline: BaselineComparisonSchema.optional(),
  writes: z
    .array(
      z.object({
        method: z.string(),
        url: z.string().meta({ description: "Origin and path, no query string" }),
        aim: z.string().meta({ description: "What the request may touch: an id that does not exist, an object of the audit, Better Auth's own users and sessions, … (unlabelled: the sender said nothing)" }),
        count: z.int().positive(),
      }),
    )
    .optional()
    .meta({ description: "Every state-changing request the audit sent, grouped by method, URL and aim" }),
  requests: z
    .object({
      total: z.int().nonnegative().meta({ description: "Requests the audit sent (429 retries included): preparation, checks and clean-up" }),
      preparation: z.int().nonnegative().meta({ description: "Discovery, users, objects and the probes' controls" }),
      checks: z.int().nonnegative().meta({ description: "Sent by the check families" }),
      cleanup: z.int().nonnegative(),
      byFamily: z.record(z.string(), z.int().nonnegative()).meta({ description: "Requests per check family" }),
      checksMs: z.number().nonnegative().meta({ description: "From the checks' first request out to their last answer in" }),
      achievedRps: z.number().nonnegative().meta({ description: "checks / checksMs: what the target sustained under this pace" }),
      maxInFlight: z.int().nonnegative().meta({ description: "Most requests of the checks in flight at once" }),
      pace: z.string().meta({ description: "The pace the audit used (--rps, --concurrency or the default)" }),
    })
    .optional()
    .meta({ description: "What the audit cost: requests and their time" }),
});

/**
 * The report.json format, defined once. Beyond the shape it enforces what renderers rely on:
 * unique result ids, every result's check listed in `checks`, and a summary that agrees with the results.
 *
 * @example const report = ReportSchema.parse(JSON.parse(text));
 */
export const ReportSchema = ReportShape.superRefine((report, ctx) => {
  const seen = new Set<string>();
  report.results.forEach((result, index) => {
    if (seen.has(result.id)) {
      ctx.addIssue({ code: "custom", path: ["results", index, "id"], message: `duplicate result id "${result.id}"` });
    }
    seen.add(result.id);
  });
  const checkIds = new Set(report.checks.map((c) => c.id));
  report.results.forEach((result, index) => {
    if (!checkIds.has(result.checkId)) {
      ctx.addIssue({
        code: "custom",
        path: ["results", index, "checkId"],
        message: `check "${result.checkId}" is not listed in checks[]`,
      });
    }
  });
  const expected = summarize(report.results, report.policy.failOn);
  for (const key of ["passed", "failed", "skipped", "errors", "accepted", "verdict"] as const) {
    if (report.summary[key] !== expected[key]) {
      ctx.addIssue({
        code: "custom",
        path: ["summary", key],
        message: `is ${JSON.stringify(report.summary[key])} but the results give ${JSON.stringify(expected[key])}`,
      });
    }
  }
  for (const severity of SEVERITIES) {
    if (report.summary.bySeverity[severity] !== expected.bySeverity[severity]) {
      ctx.addIssue({
        code: "custom",
        path: ["summary", "bySeverity", severity],
        message: `is ${report.summary.bySeverity[severity]} but the results give ${expected.bySeverity[severity]}`,
      });
    }
  }
  if (canonical(report.summary.skippedByReason) !== canonical(expected.skippedByReason)) {
    ctx.addIssue({
      code: "custom",
      path: ["summary", "skippedByReason"],
      message: `is ${JSON.stringify(report.summary.skippedByReason)} but the results give ${JSON.stringify(expected.skippedByReason)}`,
    });
  }
  const results = new Map(report.results.map((r) => [r.id, r]));
  const findingIds = new Set<string>();
  report.findings.forEach((finding, index) => {
    if (findingIds.has(finding.id)) ctx.addIssue({ code: "custom", path: ["findings", index, "id"], message: `duplicate finding id "${finding.id}"` });
    findingIds.add(finding.id);
    finding.resultIds.forEach((id, i) => {
      const result = results.get(id);
      if (!result || result.status !== "fail" || result.checkId !== finding.checkId) {
        ctx.addIssue({ code: "custom", path: ["findings", index, "resultIds", i], message: `"${id}" is not a failed result of ${finding.checkId}` });
      }
    });
  });
  report.findings.forEach((finding, index) => {
    if (finding.relatedFinding !== undefined && !findingIds.has(finding.relatedFinding)) {
      ctx.addIssue({ code: "custom", path: ["findings", index, "relatedFinding"], message: `no finding "${finding.relatedFinding}"` });
    }
  });
  if (canonical(report.summary.findings) !== canonical(countFindings(report.findings))) {
    ctx.addIssue({
      code: "custom",
      path: ["summary", "findings"],
      message: `is ${JSON.stringify(report.summary.findings)} but findings[] give ${JSON.stringify(countFindings(report.findings))}`,
    });
  }
});

/** JSON text with object keys sorted, for comparing derived values regardless of key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

export type Report = z.infer<typeof ReportShape>;
export type Result = Report["results"][number];
export type ResultStatus = Result["status"];
export type Exchange = NonNullable<Result["evidence"]>["exchanges"][number];
export type CheckEntry = Report["checks"][number];
export type Summary = Report["summary"];
export type Finding = Report["findings"][number];
export type Matrix = NonNullable<Report["matrix"]>;
export type BaselineComparison = NonNullable<Report["baseline"]>;
export type RunState = Report["run"];
export type Acceptance = NonNullable<Result["acceptance"]>;
export type Replay = NonNullable<Result["replay"]>;

/**
 * The JSON Schema (draft 2020-12) published for this version, generated from ReportSchema.
 *
 * @example writeFileSync(SCHEMA_FILE, JSON.stringify(reportJsonSchema(), null, 2) + "\n");
 */
export function reportJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(ReportShape, { target: "draft-2020-12" }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: `urn:authproof:report:${SCHEMA_VERSION}`,
    title: `authproof report ${SCHEMA_VERSION}`,
    description:
      "report.json written by authproof. Not expressible here and checked by the tool: result ids are unique, " +
      "every result's checkId is listed in checks, summary agrees with results and findings, and each finding's " +
      "resultIds name failed results of its check.",
    ...rest,
  };
}

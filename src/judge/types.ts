import type { CheckId } from "../catalogue/checks.ts";
import type { Severity } from "../catalogue/types.ts";
import type { Exchange } from "../http/types.ts";

export type Status = "pass" | "fail" | "skip" | "error";

/** The operation a result is about: method, path template and the URL that was sent. */
export interface Endpoint {
  method: string;
  path: string;
  url?: string;
}

/** An exchange worth showing, labelled with what it tried. */
export interface LabelledExchange {
  label: string;
  exchange: Exchange;
}

/** One cell of the isolation matrix (user × route × method) shown in the HTML report. */
export interface MatrixCell {
  user: string;
  method: string;
  route: string;
  objectOwner: string;
  expected: string;
  status: number | null;
  verdict: "enforced" | "bypassed" | "error";
}

/** What a check records for one endpoint; the report adds title, category, severity and refs. */
export interface CheckOutcome {
  checkId: CheckId;
  status: Status;
  endpoint?: Endpoint;
  reason?: string;
  /** Exchanges worth showing (failing ones first). */
  exchanges?: LabelledExchange[];
  failedVariants?: string[];
  notes?: string[];
  variants?: { total: number; failed: number };
  counterexample?: {
    seed: number;
    path?: string;
    header?: unknown;
    claims?: unknown;
    token?: string;
    authorization?: string;
  };
  /** Isolation matrix cells this check observed. */
  matrix?: MatrixCell[];
  /** The severity of this result when it fails: its worst failed variant's (default: the catalogue's). */
  severity?: Severity;
  /** What the worst failed variant's acceptance means. */
  impact?: "forgery" | "claims" | "leniency";
  /** A forged token's answer came back as the identity it chose. */
  exploitConfirmed?: boolean;
  /** Playwright traces of what the browser did (absolute paths of temporary files; the report copies them in). */
  traces?: Array<{ file: string; title: string }>;
}

/** How one operation answers a valid token (positive control) and no token (negative control). */
export interface Controls {
  positive: Exchange;
  negative: Exchange;
  /** A token no verifier accepts: it must get what no token gets, not what the valid token gets. */
  invalid?: Exchange;
}

import type { Exchange } from "../http/types.ts";

export type Status = "pass" | "fail" | "skip" | "error";

/** What a suite records for one check on one endpoint; the report adds title, category, severity and refs. */
export interface CheckOutcome {
  checkId: string;
  status: Status;
  endpoint?: { method: string; path: string; url?: string };
  reason?: string;
  /** Exchanges worth showing (failing ones first), labelled with what they tried. */
  exchanges?: Array<{ label: string; exchange: Exchange }>;
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
}

/** How one operation answers a valid token (positive control) and no token (negative control). */
export interface Controls {
  positive: Exchange;
  negative: Exchange;
}

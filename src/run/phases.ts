/**
 * What an audit is doing, for progress displays: the phases in order (prepare, one per check family, clean-up,
 * report), each family announced with the number of tests it will run, and each finished test.
 */
export type PhaseEvent =
  | { kind: "phase"; phase: "prepare" | "clean-up" | "report" }
  | { kind: "plan"; families: Array<{ name: string; tests: number }> }
  | { kind: "family"; name: string }
  | { kind: "test"; family: string; status: "pass" | "fail" | "skip" | "error" };

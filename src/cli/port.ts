import { UsageError } from "./errors.ts";

/** A --port style flag: an integer 1..65535, or undefined when absent. */
export function port(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UsageError(`${flag}: expected a port number, got "${value}"`);
  return n;
}

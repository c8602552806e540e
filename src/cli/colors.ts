import picocolors from "picocolors";

/**
 * Colour only on a terminal: never when NO_COLOR is set (https://no-color.org), in CI (CI=true), or when the
 * stream is a pipe or a file.
 */
export function colorEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (isCi(env)) return false;
  return Boolean(stream.isTTY);
}

/** Whether this runs in CI (plain lines, no live progress). */
export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI !== undefined && env.CI !== "" && env.CI !== "false" && env.CI !== "0";
}

/** Colours for one stream (no-ops when colour is off) and the end-of-run summary lines painted with them. */
export function paint(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env) {
  const c = picocolors.createColors(colorEnabled(stream, env));
  return {
    c,
    /** A line of terminalSummary(): findings red, undecided yellow, accepted dim, the verdict line by verdict. */
    summaryLine(line: string): string {
      if (line.startsWith("✗ ")) return c.red(line);
      if (line.startsWith("! ")) return c.yellow(line);
      if (line.startsWith("~ ")) return c.dim(line);
      if (line.startsWith("authproof: FAIL")) return c.bold(c.red(line));
      if (line.startsWith("authproof: PASS")) return c.bold(c.green(line));
      if (line.startsWith("note: ") || line.startsWith("warning: ")) return c.yellow(line);
      return line;
    },
  };
}

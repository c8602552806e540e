import type { CheckOutcome } from "../judge/types.ts";

/**
 * Terminal progress: a live counter on a TTY; in CI only the log lines. Failures and errors are printed once,
 * grouped into findings, when the run ends (src/report/terminal.ts), not one line per check and route.
 */
export function createProgress(stream: NodeJS.WriteStream) {
  const tty = Boolean(stream.isTTY) && !process.env.CI;
  const counts = { pass: 0, fail: 0, skip: 0, error: 0 };
  let live = false;
  const clear = () => {
    if (live) stream.write("\r\x1b[K");
    live = false;
  };
  return {
    log(line: string) {
      clear();
      stream.write(`${line}\n`);
    },
    outcome(outcome: CheckOutcome) {
      counts[outcome.status] += 1;
      const where = outcome.endpoint ? ` ${outcome.endpoint.method} ${outcome.endpoint.path}` : "";
      if (tty) {
        stream.write(`\r\x1b[K${counts.pass} passed, ${counts.fail} failed, ${counts.skip} skipped, ${counts.error} errors — ${outcome.checkId}${where}`);
        live = true;
      }
    },
    done() {
      clear();
    },
  };
}

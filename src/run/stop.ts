/** Why an audit ended before its checks were done. */
export type StopCause =
  | { kind: "stopped"; origin: string }
  | { kind: "interrupted"; signal: string }
  | { kind: "deadline"; seconds: number };

/** The cause as the report's `run.reason` and the CLI's line say it. */
export function describeStop(cause: StopCause): string {
  switch (cause.kind) {
    case "stopped":
      return `the target stopped answering (${cause.origin})`;
    case "interrupted":
      return `interrupted by ${cause.signal}`;
    case "deadline":
      return `the run reached its time limit (--max-time ${cause.seconds} s)`;
  }
}

/**
 * The one decision that an audit ends early. The first cause wins; whoever must react (the suites, the
 * driver of the preparation) listens with `onStop`.
 */
export class RunStop {
  private current: StopCause | undefined;
  private readonly listeners: Array<(cause: StopCause) => void> = [];

  get cause(): StopCause | undefined {
    return this.current;
  }

  stop(cause: StopCause): void {
    if (this.current) return;
    this.current = cause;
    for (const listener of this.listeners.splice(0)) listener(cause);
  }

  /** Calls `listener` once when the run stops (at once if it has already). */
  onStop(listener: (cause: StopCause) => void): void {
    if (this.current) listener(this.current);
    else this.listeners.push(listener);
  }
}

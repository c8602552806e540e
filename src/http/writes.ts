/** Methods that may change state on the target. */
const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** One kind of state-changing request the audit sent: where, what it was aimed at, how many times. */
export interface WriteEntry {
  method: string;
  /** Origin and path, without the query string. */
  url: string;
  /** What the request may touch (`an id that does not exist`, …), or `unlabelled` when the sender said nothing. */
  aim: string;
  count: number;
}

/**
 * Every state-changing request that went out, grouped by method, URL and aim, so the report can show that the
 * audit touched only what it may touch. `take()` hands over what was logged since the last call.
 */
export class WriteLog {
  private entries = new Map<string, WriteEntry>();

  note(method: string, url: URL, aim: string | undefined): void {
    const upper = method.toUpperCase();
    if (!STATE_CHANGING.has(upper)) return;
    const where = `${url.origin}${url.pathname}`;
    const label = aim ?? "unlabelled";
    const key = `${upper} ${where} ${label}`;
    const entry = this.entries.get(key);
    if (entry) entry.count += 1;
    else this.entries.set(key, { method: upper, url: where, aim: label, count: 1 });
  }

  take(): WriteEntry[] {
    const taken = [...this.entries.values()];
    this.entries = new Map();
    return taken;
  }
}

/** Folds several logs' entries into one list (same method, URL and aim add up). */
export function mergeWrites(...lists: WriteEntry[][]): WriteEntry[] {
  const merged = new Map<string, WriteEntry>();
  for (const entry of lists.flat()) {
    const key = `${entry.method} ${entry.url} ${entry.aim}`;
    const seen = merged.get(key);
    if (seen) seen.count += entry.count;
    else merged.set(key, { ...entry });
  }
  return [...merged.values()].sort((a, b) => a.url.localeCompare(b.url) || a.method.localeCompare(b.method));
}

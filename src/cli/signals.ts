/**
 * SIGINT / SIGTERM while a command runs: the first aborts the returned signal (its reason is the signal's
 * name) so the command can wind down — stop sending, clean up, write what finished — and the second exits at
 * once with code 2 (process exit handlers still stop the reference app's servers).
 */
export function interruptOnSignals(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const handler = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      console.error(`authproof: ${name} again: exiting now, without clean-up or report`);
      process.exit(2);
    }
    if (process.stderr.isTTY) console.error(`\nauthproof: ${name}: finishing up (clean-up, partial report); ${name} again exits at once`);
    controller.abort(name);
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return {
    signal: controller.signal,
    dispose() {
      process.off("SIGINT", handler);
      process.off("SIGTERM", handler);
    },
  };
}

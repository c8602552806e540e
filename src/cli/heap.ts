// Imported first by main.ts: V8 flags for a small harness, set before anything is loaded. A shebang cannot carry
// them portably (`env -S` is missing from BusyBox, so Alpine images), so they are set here, at run time.
import { setFlagsFromString } from "node:v8";

// Isolates created from now on (vitest's worker, which runs the suites): a 2 MB young generation, not 16 MB.
setFlagsFromString("--max-semi-space-size=2");
// This isolate's young generation keeps the size it started with. The audit's allocations are short-lived
// request and response objects, which a small nursery collects as well: the bench's throughput does not move.
setFlagsFromString("--semi-space-growth-factor=1");

// Imported first by main.ts: V8 flags for a small harness, set before anything is loaded. A shebang cannot carry
// them portably (`env -S` is missing from BusyBox, so Alpine images), so they are set here, at run time.
import { setFlagsFromString } from "node:v8";

// Isolates created from now on (the suite worker, which runs the suites): 2 MB semi-spaces, not up to 16 MB.
setFlagsFromString("--max-semi-space-size=2");
// Young generations stop growing, so this isolate's (already made) keeps its initial size too. The audit
// allocates short-lived request and response objects: throughput is within noise of V8's defaults.
setFlagsFromString("--semi-space-growth-factor=1");

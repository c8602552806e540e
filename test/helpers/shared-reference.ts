import { startReference, type ReferenceApp } from "../../src/reference/launch.ts";

// One secure reference app per mode for the test files of a vitest worker that only audit it. The test files run
// one after another in a worker (isolate: false, see vitest.config.ts), so a shared app is never audited by two
// files at once. An audit deletes the users it created, so the next file finds no leftovers; a file that seeds
// flaws, stops servers or counts what the databases hold starts its own app instead. The launcher's exit hook stops these
// apps when the worker ends.

type SharedMode = "jwks" | "shared-secret";
const apps = new Map<SharedMode, Promise<ReferenceApp>>();

/** The worker's secure reference app in `mode`, started on first use. Its stop() does nothing: the worker owns it. */
export async function sharedReference(mode: SharedMode): Promise<ReferenceApp> {
  let app = apps.get(mode);
  if (!app) {
    app = startReference({ mode });
    apps.set(mode, app);
    app.catch(() => apps.delete(mode)); // a failed start is retried by the next file, not handed on
  }
  return { ...(await app), stop: async () => {} };
}

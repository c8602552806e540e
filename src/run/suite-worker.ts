// The suite worker: a worker thread the CLI starts for each audit (see runSuites). It runs the selected suite files
// with vitest's test runner (@vitest/runner), one file after another in this one thread, so they share one audit
// context, and tells the CLI what each test recorded (SuiteEvent). No vite server and no module transform: the
// suites and their modules load as plain Node modules.
import { parentPort } from "node:worker_threads";
import { pathToFileURL } from "node:url";
import { startTests, type CancelReason, type File, type Suite, type Task, type TaskEventPack, type Test, type VitestRunner, type VitestRunnerConfig } from "@vitest/runner";
import { suiteInputs, type SuiteCancel, type SuiteEvent } from "./suite-protocol.ts";
import { closeAuditContext } from "./define.ts";

const inputs = suiteInputs();
const port = parentPort!;
const send = (event: SuiteEvent) => port.postMessage(event);

const config: VitestRunnerConfig = {
  root: "/",
  setupFiles: [],
  name: undefined,
  passWithNoTests: true,
  testNamePattern: undefined,
  allowOnly: false,
  sequence: { shuffle: false, concurrent: false, seed: 0, hooks: "stack", setupFiles: "parallel" },
  chaiConfig: undefined,
  // Tests of a concurrent family at once (Family.concurrent); the driver bounds the requests in flight.
  maxConcurrency: 64,
  testTimeout: 600_000,
  hookTimeout: 120_000,
  retry: 0,
  includeTaskLocation: false,
  tags: [],
  tagsFilter: undefined,
  strictTags: false,
};

const isFile = (suite: Suite): suite is File => "filepath" in suite && suite.file === suite;

function testsOf(task: Task): Test[] {
  return task.type === "test" ? [task] : task.tasks.flatMap(testsOf);
}

function fullNameOf(test: Test): string {
  const names: string[] = [test.name];
  for (let suite = test.suite; suite && !isFile(suite); suite = suite.suite) names.unshift(suite.name);
  return names.join(" > ");
}

const messages = (task: Task) => (task.result?.errors ?? []).map((error) => error.message ?? String(error));

/**
 * Each test is told to the CLI once, when it has ended: from onAfterRunTask as it ends, and from the runner's task
 * updates for those that end without it (skipped by ctx.skip, cancelled). Before a file's end, any of its tests not
 * told yet are told, so a file's tests always come before its end.
 */
class AuditSuiteRunner implements VitestRunner {
  readonly config = config;
  private cancelled = false;
  private readonly tests = new Map<string, Test>();
  private readonly told = new Set<string>();
  private readonly ended = new Set<string>();

  importFile(filepath: string): Promise<unknown> {
    return import(pathToFileURL(filepath).href);
  }

  /** Wrapped by startTests, which also aborts the tests running now; what has not started is skipped here. */
  cancel(_reason: CancelReason): void {
    this.cancelled = true;
  }

  onCollected(files: File[]): void {
    for (const test of files.flatMap(testsOf)) this.tests.set(test.id, test);
  }

  onBeforeRunSuite(suite: Suite): void {
    if (this.cancelled) suite.mode = "skip";
    if (isFile(suite)) send({ kind: "module-start", file: suite.filepath });
  }

  onBeforeRunTask(test: Test): void {
    if (this.cancelled) test.mode = "skip";
  }

  onAfterRunTask(test: Test): void {
    this.tell(test);
  }

  onTaskUpdate(_packs: unknown, events: TaskEventPack[]): Promise<void> {
    for (const [id, event] of events) {
      const test = event === "test-finished" ? this.tests.get(id) : undefined;
      if (test) this.tell(test);
    }
    return Promise.resolve();
  }

  onAfterRunSuite(suite: Suite): void {
    if (isFile(suite)) this.endModule(suite);
  }

  /** A file that failed before it ran (it could not be imported) never reaches onAfterRunSuite: it ends here. */
  endModule(file: File): void {
    if (this.ended.has(file.filepath)) return;
    this.ended.add(file.filepath);
    const tests = testsOf(file);
    for (const test of tests) this.tell(test);
    send({ kind: "module-end", file: file.filepath, testIds: tests.map((test) => test.id), errors: messages(file) });
  }

  private tell(test: Test): void {
    const state = test.result?.state ?? (test.mode === "skip" ? "skip" : undefined);
    if (this.told.has(test.id) || (state !== "pass" && state !== "fail" && state !== "skip")) return;
    this.told.add(test.id);
    send({
      kind: "test",
      file: test.file.filepath,
      id: test.id,
      fullName: fullNameOf(test),
      state,
      meta: { ...test.meta },
      errors: messages(test),
      durationMs: test.result?.duration ?? 0,
    });
  }
}

const runner = new AuditSuiteRunner();
port.on("message", (command: SuiteCancel) => {
  if (command.kind === "cancel") runner.cancel("keyboard-input");
});
// As vitest does: an error no test caught is reported, and the run goes on.
const unhandled = (error: unknown) => send({ kind: "unhandled", message: error instanceof Error ? error.message : String(error) });
process.on("unhandledRejection", unhandled);
process.on("uncaughtException", unhandled);

try {
  const files = await startTests(inputs.files, runner);
  for (const file of files) runner.endModule(file);
} catch (error) {
  unhandled(error);
} finally {
  await closeAuditContext().catch(unhandled);
}
send({ kind: "done" });

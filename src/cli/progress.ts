import ora, { type Ora } from "ora";
import type { CheckOutcome } from "../judge/types.ts";
import type { PhaseEvent } from "../run/phases.ts";
import { colorEnabled, isCi, paint } from "./colors.ts";
import { formatDuration } from "../report/format.ts";

interface FamilyState {
  name: string;
  tests: number;
  done: number;
  failed: number;
  startedAt?: number;
}

/**
 * Terminal progress. On a TTY (not CI): a spinner (ora) naming the phase — prepare, each check family with its
 * finished / planned tests, failures so far and an ETA, clean-up, report — and a ✔ line as each phase ends.
 * In CI or into a pipe: one plain line per phase and family. Failures and errors are printed once, grouped into
 * findings, when the run ends (src/report/terminal.ts), not one line per check and route.
 */
export function createProgress(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env) {
  // A terminal that reports no width (a bare pseudo-terminal) gets plain lines: a spinner cannot measure what to redraw.
  const live = Boolean(stream.isTTY) && !isCi(env) && (stream.columns ?? 0) > 0;
  const { c } = paint(stream, env);
  const spinner: Ora | undefined = live ? ora({ stream, isEnabled: true, discardStdin: false, color: colorEnabled(stream, env) ? "cyan" : false }) : undefined;
  const families: FamilyState[] = [];
  let current: FamilyState | undefined;
  let phase: { name: string; startedAt: number } | undefined;
  let suitesStartedAt: number | undefined;

  const totals = () => {
    const tests = families.reduce((n, f) => n + f.tests, 0);
    const done = families.reduce((n, f) => n + f.done, 0);
    return { tests, done };
  };
  const eta = (): string => {
    const { tests, done } = totals();
    if (!suitesStartedAt || done < Math.max(3, tests * 0.05)) return "";
    const perTest = (Date.now() - suitesStartedAt) / done;
    return ` · ETA ${formatDuration(Math.max(0, (tests - done) * perTest))}`;
  };
  const familyText = (f: FamilyState) => {
    const index = families.indexOf(f) + 1;
    const failed = f.failed ? c.red(` · ${f.failed} failed`) : "";
    return `[${index}/${families.length}] ${f.name} · ${f.done}/${f.tests} tests${failed}${eta()}`;
  };
  const write = (line: string) => {
    if (spinner?.isSpinning) {
      spinner.clear();
      stream.write(`${line}\n`);
      spinner.render();
    } else stream.write(`${line}\n`);
  };
  const endPhase = () => {
    if (!phase) return;
    const took = formatDuration(Date.now() - phase.startedAt);
    const detail = current && current.name === phase.name ? ` (${current.done} tests${current.failed ? `, ${current.failed} failed` : ""})` : "";
    if (spinner) spinner.stopAndPersist({ symbol: c.green("✔"), text: `${phase.name}${detail} ${c.dim(took)}` });
    else if (current && current.name === phase.name) stream.write(`  ${phase.name}: done in ${took}${detail}\n`);
    phase = undefined;
  };
  const startPhase = (name: string, text: string) => {
    endPhase();
    phase = { name, startedAt: Date.now() };
    if (spinner) spinner.start(text);
    else stream.write(`phase: ${text}\n`);
  };

  return {
    log(line: string) {
      write(line);
    },
    /** Each judged outcome (the counts are kept per test, see phase()). */
    outcome(_outcome: CheckOutcome) {},
    phase(event: PhaseEvent) {
      switch (event.kind) {
        case "phase":
          current = undefined;
          startPhase(event.phase, event.phase === "prepare" ? "prepare: reading the OpenAPI document, signing up the users, probing the routes" : event.phase);
          return;
        case "plan": {
          families.splice(0, families.length, ...event.families.map((f) => ({ ...f, done: 0, failed: 0 })));
          const { tests } = totals();
          endPhase();
          if (!spinner) stream.write(`plan: ${families.length} check families, ${tests} tests (${families.map((f) => `${f.name} ${f.tests}`).join(", ")})\n`);
          suitesStartedAt = Date.now();
          return;
        }
        case "family": {
          current = families.find((f) => f.name === event.name);
          if (!current) {
            current = { name: event.name, tests: 0, done: 0, failed: 0 };
            families.push(current);
          }
          current.startedAt = Date.now();
          startPhase(current.name, spinner ? familyText(current) : `${current.name} (${current.tests} tests)`);
          return;
        }
        case "test": {
          const family = families.find((f) => f.name === event.family);
          if (!family) return;
          family.done += 1;
          if (event.status === "fail" || event.status === "error") family.failed += 1;
          if (spinner && family === current) spinner.text = familyText(family);
          return;
        }
      }
    },
    done() {
      endPhase();
      spinner?.stop();
    },
  };
}

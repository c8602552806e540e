import { describe, inject, test } from "vitest";
import { record } from "../src/run/record.ts";
import { judgeMissingToken, judgeUnprotected } from "../src/checks/transport/judge.ts";
import { judgeNoStore } from "../src/checks/hygiene/no-store.ts";
import { selectedIn } from "../src/run/selection.ts";

const model = inject("authproofModel");
const selected = selectedIn(model);

describe.runIf(selected("transport.unprotected-route"))("transport.unprotected-route", () => {
  for (const { op, request, exchange } of model.anonymous) {
    test(`${op.method} ${op.path}`, (context) => {
      record(context, judgeUnprotected({ method: op.method, path: op.path, url: request.url }, exchange));
    });
  }
});

describe.runIf(selected("transport.missing-token"))("transport.missing-token", () => {
  for (const probe of model.probes) {
    test(`${probe.op.method} ${probe.op.path}`, (context) => {
      record(context, judgeMissingToken({ method: probe.op.method, path: probe.op.path, url: probe.request.url }, probe.controls.negative));
    });
  }
});

describe.runIf(selected("hygiene.no-store"))("hygiene.no-store", () => {
  for (const probe of model.probes.filter((p) => p.kind === "read")) {
    test(`${probe.op.method} ${probe.op.path}`, (context) => {
      record(context, judgeNoStore({ method: probe.op.method, path: probe.op.path, url: probe.request.url }, probe.controls.positive));
    });
  }
});

import type { Endpoint } from "../judge/types.ts";
import { endpointOf } from "../model/endpoint.ts";
import type { AnonymousProbe, Probe, TargetModel } from "../model/target.ts";
import type { Scope } from "./types.ts";

/** The audit as a whole: checks that run once. */
export const auditScope: Scope<undefined> = {
  name: "audit",
  units: () => [undefined],
  label: () => "the audit",
  endpoint: () => undefined,
};

/** Every protected operation that could be probed (its controls are known). */
export const probeScope: Scope<Probe> = {
  name: "probe",
  units: (model) => model.probes,
  label: (probe) => `${probe.op.method} ${probe.op.path}`,
  endpoint: (probe) => endpointOf(probe.op, probe.request.url),
};

/** The probed read operations. */
export const readProbeScope: Scope<Probe> = {
  ...probeScope,
  name: "read probe",
  units: (model) => model.probes.filter((probe) => probe.kind === "read"),
};

/** The probed operations that take input: query parameters or a request body (hygiene.server-error mutates them). */
export const inputProbeScope: Scope<Probe> = {
  ...probeScope,
  name: "input probe",
  units: (model) => model.probes.filter((probe) => probe.op.queryParams.length > 0 || probe.op.requestBody !== undefined),
};

/** Every non-public operation, as sent without a token during preparation. */
export const anonymousScope: Scope<AnonymousProbe> = {
  name: "anonymous",
  units: (model: TargetModel) => model.anonymous,
  label: ({ op }) => `${op.method} ${op.path} without a token`,
  endpoint: ({ op, request }): Endpoint => endpointOf(op, request.url),
};

import { jwtOnly, type Family } from "../types.ts";
import { algChecks } from "./alg.ts";
import { headerChecks } from "./header.ts";
import { signatureChecks } from "./signature.ts";

/** Forged tokens: signatures, keys, the alg header and header parameters that name keys. */
export const token: Family = {
  name: "token",
  concurrent: true,
  checks: jwtOnly([...signatureChecks, ...algChecks, ...headerChecks]),
};

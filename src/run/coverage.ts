import type { AuthproofConfig } from "../config/schema.ts";
import { signerFromPrivateJwk, signerFromSecret, type Signer } from "../forge/signers.ts";
import { HarnessError } from "../errors.ts";
import type { HttpDriver } from "../http/driver.ts";
import type { TargetModel } from "../model/target.ts";
import type { Report } from "../report/schema.ts";
import { diagnoseRefusedToken } from "../target/diagnose.ts";

const HMAC = /^HS(256|384|512)$/;

/**
 * Stops a run whose coverage would be empty or broken before any attack is sent: the mode does not match the
 * target's tokens, nothing protected could be probed, the valid token is refused on most routes, or a signing
 * oracle was required and there is none. Each is one line, exit 2: never a PASS that tested nothing.
 */
export async function assertCoverage(model: TargetModel, driver: HttpDriver): Promise<void> {
  const { config } = model;
  const alg = model.users.map((u) => u.header.alg).find((a): a is string => typeof a === "string");
  if (alg && config.mode === "shared-secret" && !HMAC.test(alg))
    throw incomplete(`mode mismatch: --mode shared-secret, but the target's tokens are ${alg}-signed (asymmetric, from a JWKS): use --mode jwks`);
  if (alg && config.mode === "jwks" && HMAC.test(alg))
    throw incomplete(`mode mismatch: --mode jwks, but the target's tokens are ${alg}-signed with a shared secret: use --mode shared-secret with BETTER_AUTH_SECRET`);
  if (config.run.requireOracle && model.oracle === "none")
    throw incomplete("--require-oracle: this is a black-box run (no signing key), so the claims checks cannot run; give BETTER_AUTH_SECRET (shared-secret mode) or AUTHPROOF_PRIVATE_JWK");
  if (model.probes.length === 0) {
    const notPublic = model.operations.filter((op) => !op.isPublic).length;
    throw incomplete(
      model.operations.length === 0
        ? "no operation found: the OpenAPI document lists no paths (configure api.include and resources, or api.openapiFile)"
        : `no protected operation could be probed (${model.operations.length} operations, ${notPublic} not public; see the notes above)`,
    );
  }
  const refused = model.probes.filter((probe) => probe.controls.positive.response?.status === 401);
  if (refused.length * 2 > model.probes.length) {
    const cause =
      config.mode === "session"
        ? "the backend does not take Better Auth's session token (Authorization: Bearer token.signature): if it verifies JWTs, use --mode jwks or --mode shared-secret"
        : await diagnoseRefusedToken(driver, refused[0]!, model.users[0]!, await oracleSigner(config, model));
    throw incomplete(`the valid token is refused (401) on ${refused.length} of ${model.probes.length} routes: ${cause}`);
  }
}

/** Why a finished run is no verdict (nothing was judged), or undefined. */
export function incompleteReason(report: Pick<Report, "results">): string | undefined {
  if (!report.results.some((result) => result.status === "pass" || result.status === "fail"))
    return "no check ran to a verdict (every result was skipped or an error)";
  return undefined;
}

function incomplete(reason: string): HarnessError {
  return new HarnessError("INCOMPLETE", `incomplete: ${reason}`);
}

async function oracleSigner(config: AuthproofConfig, model: TargetModel): Promise<Signer | undefined> {
  const { keys } = config;
  if (model.oracle === "private-key" && keys.privateJwk) return signerFromPrivateJwk(typeof keys.privateJwk === "string" ? JSON.parse(keys.privateJwk) : keys.privateJwk);
  if (model.oracle === "secret" && keys.secret) return signerFromSecret(keys.secret);
  return undefined;
}

import type { AuthproofConfig } from "../config/schema.ts";
import { routeMatches, type Operation } from "./openapi.ts";
import { looksLikeUserIdParam } from "./resources.ts";

/** Path segments and tags that mark an operation meant for administrators. */
const ADMIN_WORD = /^(?:admin|admins|administration|administrator|superadmin|superuser|staff|backoffice|back-office|moderation)$/i;
/** Path segments that name the caller's own user (`/me`, `/profile`, …). */
const SELF_WORD = /^(?:me|self|profile|account|my-account)$/i;

/** An operation only administrators may call, and why the audit thinks so. */
export interface AdminOperation {
  op: Operation;
  because: string;
}

/**
 * The admin operations among `ops`: those `authorization.adminOperations` names, and (unless
 * `authorization.inferAdminOperations` is off) those tagged or routed as admin (`/api/admin/…`, tag `admin`).
 * Public operations are left out: they are meant to answer anyone.
 * @example adminOperations(ops, config).map((a) => `${a.op.method} ${a.op.path} (${a.because})`)
 */
export function adminOperations(ops: Operation[], config: Pick<AuthproofConfig, "authorization">): AdminOperation[] {
  const { adminOperations: patterns, inferAdminOperations: infer } = config.authorization;
  const found: AdminOperation[] = [];
  for (const op of ops) {
    if (op.isPublic) continue;
    const pattern = patterns.find((p) => routeMatches(p, op.method, op.path));
    const tag = infer ? op.tags?.find((t) => ADMIN_WORD.test(t.trim())) : undefined;
    const segment = infer ? segmentsOf(op.path).find((s) => ADMIN_WORD.test(s)) : undefined;
    const because = pattern ? `configured (${pattern})` : tag ? `tagged ${JSON.stringify(tag)}` : segment ? `path segment /${segment}` : undefined;
    if (because) found.push({ op, because });
  }
  return found;
}

/**
 * Operations that change the caller's own user record, where a role field could be slipped in: PUT, PATCH or
 * POST with a JSON body on a path ending in `/me`, `/profile`, `/account`, … or whose only parameter is a user id.
 */
export function selfUpdateOperations(ops: Operation[], admin: AdminOperation[]): Operation[] {
  return ops.filter((op) => {
    if (op.isPublic || !op.requestBody || !["PUT", "PATCH", "POST"].includes(op.method)) return false;
    if (admin.some((a) => a.op === op)) return false;
    const last = segmentsOf(op.path).at(-1);
    const params = op.pathParams.map((p) => p.name);
    if (params.length === 0) return last !== undefined && SELF_WORD.test(last) && op.path.endsWith(last);
    return params.length === 1 && looksLikeUserIdParam(params[0]!) && /\}\/?$/.test(op.path);
  });
}

function segmentsOf(path: string): string[] {
  return path.split("/").filter((s) => s !== "" && !s.startsWith("{"));
}

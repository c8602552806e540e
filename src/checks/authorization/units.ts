import { endpointOf } from "../../model/endpoint.ts";
import type { TargetModel } from "../../model/target.ts";
import { adminOperations, selfUpdateOperations, type AdminOperation } from "../../target/admin.ts";
import type { Operation } from "../../target/openapi.ts";
import type { Scope } from "../types.ts";

/** Better Auth's admin plugin route the audit calls as a normal user (read-only: one page of the user list). */
export const BETTER_AUTH_LIST_USERS = "/admin/list-users";

/**
 * What authorization.function-level and authorization.role-claim run on: a backend admin operation, Better Auth's
 * admin plugin, or nothing (recorded as a skip that says so, so that no admin operation is never a silent pass).
 */
export type AdminUnit = { kind: "backend"; admin: AdminOperation } | { kind: "better-auth"; path: string } | { kind: "none" };

/** Where authorization.role-assignment sends a role: Better Auth's update-user, a backend self-update route, or nothing. */
export type RoleTarget = { kind: "better-auth"; path: string } | { kind: "better-auth-sign-up"; path: string } | { kind: "backend"; op: Operation; read: Operation } | { kind: "none"; why: string };

/** The path of a Better Auth route under the configured base path (`/api/auth` + `/update-user`). */
export function authPath(model: Pick<TargetModel, "config">, suffix: string): string {
  const base = `/${model.config.auth.basePath.replace(/^\/+|\/+$/g, "")}`.replace(/^\/$/, "");
  return `${base}${suffix}`;
}

export const adminScope: Scope<AdminUnit> = {
  name: "admin operation",
  units: (model) => {
    const units: AdminUnit[] = adminOperations(model.operations, model.config).map((admin) => ({ kind: "backend", admin }));
    if (model.identities === "better-auth") units.push({ kind: "better-auth", path: authPath(model, BETTER_AUTH_LIST_USERS) });
    return units.length > 0 ? units : [{ kind: "none" }];
  },
  label: (unit) =>
    unit.kind === "backend"
      ? `${unit.admin.op.method} ${unit.admin.op.path} (admin: ${unit.admin.because})`
      : unit.kind === "better-auth"
        ? `GET ${unit.path} (Better Auth admin plugin)`
        : "no admin operation",
  endpoint: (unit) => (unit.kind === "backend" ? endpointOf(unit.admin.op) : unit.kind === "better-auth" ? { method: "GET", path: unit.path } : undefined),
};

export const roleTargetScope: Scope<RoleTarget> = {
  name: "role target",
  units: (model) => {
    const admin = adminOperations(model.operations, model.config);
    const targets: RoleTarget[] = [];
    if (model.identities === "better-auth") {
      targets.push({ kind: "better-auth-sign-up", path: authPath(model, "/sign-up/email") });
      targets.push({ kind: "better-auth", path: authPath(model, "/update-user") });
    }
    for (const op of selfUpdateOperations(model.operations, admin)) {
      const read = model.operations.find((o) => o.method === "GET" && o.path === op.path);
      if (read) targets.push({ kind: "backend", op, read });
    }
    return targets.length > 0 ? targets : [{ kind: "none", why: "no route updates the caller's own user (no Better Auth, no /me or /users/{id} write with a GET to read it back)" }];
  },
  label: (target) => (target.kind === "backend" ? `${target.op.method} ${target.op.path}` : target.kind === "none" ? "no route that updates the caller's user" : `POST ${target.path} (Better Auth)`),
  endpoint: (target) => (target.kind === "backend" ? endpointOf(target.op) : target.kind === "none" ? undefined : { method: "POST", path: target.path }),
};

import { AuthproofError } from "../errors.ts";

export type TargetErrorCode =
  | "AUTH_NOT_FOUND"
  | "AUTH_UNREACHABLE"
  | "AUTH_RATE_LIMITED"
  | "SIGNUP_FAILED"
  | "SIGNIN_FAILED"
  | "SIGNOUT_FAILED"
  | "SESSION_FAILED"
  | "TOKEN_FAILED"
  | "JWKS_FAILED"
  | "JWKS_INVALID"
  | "JWKS_UNREACHABLE"
  | "OPENAPI_INVALID"
  | "OPENAPI_UNSUPPORTED"
  | "PATH_PARAM_MISSING"
  | "RESOURCE_INVALID"
  | "ROUTE_INVALID";

/**
 * A problem with the target (its OpenAPI document, its auth endpoints, its answers) that stops the
 * harness from building the target model. `message` says what was sent or read and what was wrong, never a secret.
 */
export class TargetError extends AuthproofError<TargetErrorCode> {
  constructor(code: TargetErrorCode, message: string) {
    super(code, `${code}: ${message}`);
  }
}

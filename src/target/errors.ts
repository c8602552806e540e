/**
 * A problem with the target (its OpenAPI document, its auth endpoints, its answers) that stops the
 * harness from building the target model. `code` is stable (CI and the CLI key on it); `message` says
 * what was sent or read and what was wrong, never a secret.
 */
export class TargetError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(`${code}: ${message}`);
    this.name = "TargetError";
    this.code = code;
  }
}

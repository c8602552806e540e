import type { AuthproofConfigInput } from "./schema.ts";

/** Identity helper for `authproof.config.ts`: gives editors the config's types. */
export function defineConfig(config: AuthproofConfigInput): AuthproofConfigInput {
  return config;
}

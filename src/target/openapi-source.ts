import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import type { AuthproofConfig } from "../config/schema.ts";
import { ConfigError } from "../config/load.ts";
import { HarnessError } from "../errors.ts";
import type { HttpDriver } from "../http/driver.ts";
import { DOCUMENT_MAX_BYTES } from "./identities.ts";


/** An empty OpenAPI document: what an API without one offers, before api.include and resources add to it. */
const NO_DOCUMENT = { openapi: "3.0.3", info: { title: "no OpenAPI document", version: "0" }, paths: {} };

/**
 * Reads `api.openapiFile` (JSON or YAML); names the field on any problem. Called before the first request,
 * so a bad file stops the run before anything is sent.
 */
export function readOpenapiFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError("api.openapiFile", `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    return /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new ConfigError("api.openapiFile", `${file} is not valid ${/\.ya?ml$/i.test(file) ? "YAML" : "JSON"} (${(error as Error).message.split("\n")[0]})`);
  }
}

/**
 * The API's OpenAPI document: the configured file, else the served one. A server that serves none (FastAPI
 * with `openapi_url=None`, common in production) is said in one line, and the audit goes on with what is
 * configured (`api.include`, `resources`). An API that does not answer at all stops the run.
 */
export async function openapiDocument(config: AuthproofConfig, driver: HttpDriver, log: (line: string) => void, cwd: string): Promise<unknown> {
  if (config.api.openapiFile) return readOpenapiFile(new URL(config.api.openapiFile, `file://${cwd.replace(/\/?$/, "/")}`).pathname);
  const url = new URL(config.api.openapiPath, config.api.baseUrl).href;
  const exchange = await driver.send({ method: "GET", url, maxBodyBytes: DOCUMENT_MAX_BYTES });
  const response = exchange.response;
  if (!response) throw new HarnessError("TARGET_UNREACHABLE", `cannot reach the API's OpenAPI document at ${url} (${exchange.error?.kind}: ${exchange.error?.message})`);
  if (response.status === 200 && response.json !== undefined) return response.json;
  if (response.status === 200 && response.truncated)
    throw new HarnessError("TARGET_UNEXPECTED", `the OpenAPI document at ${url} is larger than ${DOCUMENT_MAX_BYTES / 1024 / 1024} MiB`);
  log(`note: no OpenAPI document at ${url} (${response.status}); going on with api.include and resources (api.openapiFile reads one from a file)`);
  return NO_DOCUMENT;
}

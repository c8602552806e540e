import { Option, type Command } from "commander";
import { CONFIG_SOURCES, DEFAULT_IGNORE_FILE, type ConfigSource } from "../config/load.ts";
import { configSchema } from "../config/schema.ts";

/** The schema's defaults, for --help (never applied by the CLI itself: the config file would lose to them). */
let defaults: Record<string, unknown> | undefined;

function defaultOf(path: string[]): string | undefined {
  defaults ??= configSchema.parse({}) as Record<string, unknown>;
  let node: unknown = defaults;
  for (const key of path) node = node && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined;
  if (node === undefined || (Array.isArray(node) && node.length === 0) || (typeof node === "object" && node !== null && !Array.isArray(node))) return undefined;
  return Array.isArray(node) ? node.join(",") : String(node);
}

/** `(default: 100; env: AUTHPROOF_RPS)`, from the schema and CONFIG_SOURCES. */
export function sourceNote(source: ConfigSource): string {
  const parts: string[] = [];
  const fallback = source.path.join(".") === "run.ignoreFile" ? `./${DEFAULT_IGNORE_FILE} if present` : defaultOf(source.path);
  if (fallback !== undefined && !source.sensitive) parts.push(`default: ${fallback}`);
  if (source.env) parts.push(`env: ${source.env}`);
  parts.push(`config: ${source.path.join(".")}`);
  return `(${parts.join("; ")})`;
}

/** The sources a command takes as flags: all for audit and reference, the `alsoFor` ones for others. */
export function sourcesFor(command: string): ConfigSource[] {
  return CONFIG_SOURCES.filter((s) => s.flags?.length && (command === "audit" || command === "reference" || s.alsoFor?.includes(command)));
}

/**
 * Adds one option per flag of the config sources a command takes, described with its default and its
 * environment variable, and lists the variables that have no flag (secrets) below the options.
 */
export function addConfigOptions(command: Command, name: string): Command {
  for (const source of sourcesFor(name)) {
    const [primary, ...aliases] = source.flags!;
    for (const flag of [primary!, ...aliases]) {
      const spec = source.kind === "boolean" ? `--${flag}` : `--${flag} <${source.value ?? "value"}>`;
      const description = flag === primary ? `${source.description} ${sourceNote(source)}` : `same as --${primary}`;
      command.addOption(new Option(spec, description));
    }
  }
  if (name === "audit" || name === "reference") {
    const envOnly = CONFIG_SOURCES.filter((s) => s.env && !s.flags?.length);
    const withFlags = CONFIG_SOURCES.filter((s) => s.env && s.flags?.length);
    const width = Math.max(...CONFIG_SOURCES.map((s) => s.env?.length ?? 0));
    command.addHelpText(
      "after",
      [
        "",
        "Environment (config file < environment < flags):",
        ...envOnly.map((s) => `  ${s.env!.padEnd(width)}  ${s.description} (config: ${s.path.join(".")})`),
        ...withFlags.map((s) => `  ${s.env!.padEnd(width)}  --${s.flags![0]}`),
        "",
        "Exit codes: 0 no finding at or above --fail-on; 1 findings; 2 the audit could not run or did not finish.",
      ].join("\n"),
    );
  }
  return command;
}

/** The options commander parsed, minus the ones that are not config fields, as loadConfig flags. */
export function configFlags(options: Record<string, unknown>, exclude: string[] = []): Record<string, string | boolean | undefined> {
  const out: Record<string, string | boolean | undefined> = {};
  for (const [key, value] of Object.entries(options)) {
    if (exclude.includes(key)) continue;
    if (typeof value === "string" || typeof value === "boolean") out[key] = value;
  }
  return out;
}

#!/usr/bin/env node
// The entry point: the version without loading anything else, every other command through program.ts.
import "./heap.ts";
import { exitWithError } from "./errors.ts";
import { packageInfo } from "../package.ts";

async function main(argv: string[]): Promise<number> {
  if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
    console.log(packageInfo().version);
    return 0;
  }
  const { runCommandLine } = await import("./program.ts");
  return runCommandLine(argv);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => exitWithError(error),
);

import { UsageError } from "./errors.ts";

export async function replay(_file: string, _id: string, _options: { run?: boolean; variant?: string; realToken?: string }): Promise<number> {
  throw new UsageError("replay: not implemented yet");
}

// `npm run setup` (also run first by `npm test`): prepares the bundled reference app.
import { ReferenceAppError } from "../src/reference/errors.ts";
import { ensureReferenceSetup } from "../src/reference/setup.ts";

try {
  const started = Date.now();
  await ensureReferenceSetup((line) => console.log(line));
  console.log(`reference app ready (${((Date.now() - started) / 1000).toFixed(1)} s)`);
} catch (error) {
  console.error(error instanceof ReferenceAppError ? `setup failed: ${error.message}` : error);
  process.exit(2);
}

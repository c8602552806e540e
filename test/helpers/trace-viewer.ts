import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { launchTestChromium } from "./browser.ts";

/**
 * Opens a Playwright trace as a user does, `npx playwright show-trace <file>` (served on loopback with
 * --host/--port instead of a desktop window), loads the viewer in headless Chromium and returns the text it
 * shows once the trace's actions are listed. Throws when the viewer does not list them.
 */
export async function showTraceText(traceFile: string, cwd: string, timeoutMs = 30_000): Promise<string> {
  const cli = createRequire(import.meta.url).resolve("@playwright/test/cli");
  // BROWSER=true: the `open` the viewer calls for a desktop browser runs `true <url>` instead.
  const viewer = spawn(process.execPath, [cli, "show-trace", "--host", "127.0.0.1", "--port", "0", traceFile], { cwd, env: { ...process.env, BROWSER: "true" }, stdio: ["ignore", "pipe", "pipe"] });
  let printed = "";
  const exited = new Promise<never>((_, reject) => viewer.on("close", (code) => reject(new Error(`show-trace exited (${code}): ${printed}`))));
  try {
    const url = await Promise.race([
      exited,
      new Promise<string>((resolve) => {
        const read = (chunk: Buffer) => {
          printed += chunk.toString();
          const match = /Listening on (http:\/\/127\.0\.0\.1:\d+\S*)/.exec(printed);
          if (match) resolve(match[1]!);
        };
        viewer.stdout.on("data", read);
        viewer.stderr.on("data", read);
      }),
    ]);
    const browser = await launchTestChromium();
    try {
      const page = await browser.newPage();
      await page.goto(url);
      await page.getByText("Create context").first().waitFor({ timeout: timeoutMs });
      return await page.locator("body").innerText();
    } finally {
      await browser.close();
    }
  } finally {
    viewer.kill();
  }
}

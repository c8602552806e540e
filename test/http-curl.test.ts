import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { shellQuote, toCurl } from "../src/http/curl.ts";

const keep = (s: string) => s;

describe("toCurl", () => {
  it("writes one -H per header line, quotes safely and keeps the URL", () => {
    const line = toCurl(
      { method: "GET", url: "http://127.0.0.1:8000/api/tasks?x=1&y='2'", headers: { authorization: ["Bearer a", "Bearer b"], "x-q": "it's" } },
      keep,
    );
    expect(line).toBe(
      `curl -sS -i -H 'authorization: Bearer a' -H 'authorization: Bearer b' -H 'x-q: it'\\''s' 'http://127.0.0.1:8000/api/tasks?x=1&y='\\''2'\\'''`,
    );
  });

  it("adds -X and --data-raw for bodies and a content type for JSON", () => {
    expect(toCurl({ method: "POST", url: "http://h/x", json: { a: 1 } }, keep)).toBe(
      `curl -sS -i -X 'POST' -H 'content-type: application/json' --data-raw '{"a":1}' 'http://h/x'`,
    );
    expect(toCurl({ method: "DELETE", url: "http://h/x" }, keep)).toBe(`curl -sS -i -X 'DELETE' 'http://h/x'`);
  });

  it("passes header values, body and URL through the redactor, and sends empty headers the curl way", () => {
    const redact = (s: string) => s.replaceAll("SECRET", "[REDACTED]");
    const line = toCurl({ method: "PUT", url: "http://h/?token=SECRET", headers: { authorization: "Bearer SECRET", "x-empty": "" }, body: "SECRET" }, redact);
    expect(line).not.toContain("SECRET");
    expect(line).toContain(`-H 'x-empty;'`);
  });

  it("round-trips through a real shell", () => {
    const nasty = `a'b"c$(echo no)\`x\`\\n`;
    expect(execFileSync("sh", ["-c", `printf %s ${shellQuote(nasty)}`]).toString()).toBe(nasty);
  });
});

import { spawnSync } from "node:child_process";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { describe, expect, test } from "vitest";
import { connectGuard, guardEnv } from "../src/browser/connect-guard.ts";
import { guardAddresses } from "../src/browser/launch.ts";

// The browser's last wall: with the guard preloaded, a process can reach loopback and the allowed addresses
// only; anything else fails with ENETUNREACH before a packet could leave.

/** Runs `node -e` with the guard preloaded; prints the connect error code or "connected". */
function tryConnect(host: string, port: number, allow: string[] = []): string {
  const guard = connectGuard();
  const script = `const s=require("net").connect({host:${JSON.stringify(host)},port:${port}});s.setTimeout(2000,()=>{console.log("timeout");process.exit(0)});s.on("connect",()=>{console.log("connected");process.exit(0)});s.on("error",(e)=>{console.log(e.code);process.exit(0)})`;
  const run = spawnSync(process.execPath, ["-e", script], { env: { ...process.env, ...guardEnv(guard, allow) }, encoding: "utf8", timeout: 10_000 });
  return run.stdout.trim();
}

describe("the browser's connect guard", () => {
  test("builds with the system's C compiler", () => {
    expect(connectGuard()).toHaveProperty("library");
  });

  test("lets loopback through and stops any other address before the system call", async () => {
    const server = createServer((socket) => socket.end()).listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    try {
      expect(tryConnect("127.0.0.1", (server.address() as AddressInfo).port)).toBe("connected");
      // Documentation addresses (RFC 5737 / 3849): never routed, and the guard must refuse them unsent.
      expect(tryConnect("192.0.2.1", 443)).toBe("ENETUNREACH");
      expect(tryConnect("2001:db8::1", 443)).toBe("ENETUNREACH");
      expect(tryConnect("2001:4860:4860::8888", 443)).toBe("ENETUNREACH");
    } finally {
      server.close();
    }
  });

  test("allows loopback hosts without listing them, IP literals as given and names with their name servers", async () => {
    expect(await guardAddresses(["127.0.0.1", "localhost", "[::1]"])).toEqual([]);
    expect(await guardAddresses(["203.0.113.7", "[2001:db8::7]"])).toEqual(["203.0.113.7", "2001:db8::7"]);
  });
});

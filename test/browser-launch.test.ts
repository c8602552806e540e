import { createSocket, type Socket } from "node:dgram";
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, afterEach, describe, expect, test } from "vitest";
import { NETWORK_FEATURES_DISABLED, resolveChromium } from "../src/browser/launch.ts";
import { NetworkGuard } from "../src/browser/network-guard.ts";
import { launchTestChromium } from "./helpers/browser.ts";

// The locked-down Chromium for real: what its flags add up to, and what a page cannot reach.

const servers: Server[] = [];
const sockets: Socket[] = [];

/** An HTTP server that counts every TCP connection it accepts. */
async function countingServer(host = "127.0.0.1", body = "<!doctype html><p>ok</p>"): Promise<{ origin: string; port: number; connections: () => number }> {
  let connections = 0;
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end(body);
  });
  server.on("connection", () => connections++);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  servers.push(server);
  const port = (server.address() as AddressInfo).port;
  return { origin: `http://${host}:${port}`, port, connections: () => connections };
}

/** A UDP socket that counts the datagrams it receives (a STUN server stand-in). */
async function countingUdp(): Promise<{ port: number; datagrams: () => number }> {
  let datagrams = 0;
  const socket = createSocket("udp4");
  socket.on("message", () => datagrams++);
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  sockets.push(socket);
  return { port: socket.address().port, datagrams: () => datagrams };
}

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  for (const socket of sockets) socket.close();
});

const choice = resolveChromium();
describe.skipIf("skip" in choice)("locked-down Chromium", () => {
  let browser: Browser | undefined;
  afterEach(async () => {
    await browser?.close();
    browser = undefined;
  });

  test("the features it disables are in effect, Playwright's own included, in a temporary profile removed on close", async () => {
    browser = await launchTestChromium(["127.0.0.1"]);
    const page = await browser.newPage();
    await page.goto("chrome://version");
    const commandLine = (await page.locator("#command_line").textContent()) ?? "";
    const profile = (await page.locator("#profile_path").textContent())?.trim() ?? "";
    const variations = await page.locator("#variations-cmd").getAttribute("data-value");
    const effective = JSON.parse(Buffer.from(variations ?? "", "base64").toString("utf8")) as { "disable-features"?: string };
    const inEffect = new Set((effective["disable-features"] ?? "").split(","));
    const named = [...commandLine.matchAll(/--disable-features=(\S+)/g)].flatMap((m) => m[1]!.split(","));
    expect(named.length).toBeGreaterThan(NETWORK_FEATURES_DISABLED.length);
    expect(named.filter((feature) => !inEffect.has(feature))).toEqual([]);
    expect(profile.startsWith(path.join(tmpdir(), "playwright_chromiumdev_profile-"))).toBe(true);
    await browser.close();
    browser = undefined;
    expect(existsSync(path.dirname(profile))).toBe(false);
  });

  test("only the allowed hosts resolve: other names and IP literals fail before any connection", async () => {
    const allowed = await countingServer("127.0.0.1");
    const other = await countingServer("127.0.0.2");
    browser = await launchTestChromium(["127.0.0.1"]);
    const page = await browser.newPage();
    await page.goto(`${allowed.origin}/`);
    await expect(page.goto(`http://localhost:${allowed.port}/`)).rejects.toThrow(/ERR_NAME_NOT_RESOLVED/);
    await expect(page.goto(`${other.origin}/`)).rejects.toThrow(/ERR_NAME_NOT_RESOLVED/);
    await expect(page.goto("https://accounts.google.com/")).rejects.toThrow(/ERR_NAME_NOT_RESOLVED/);
    expect(other.connections()).toBe(0);
    await browser.close();

    browser = await launchTestChromium(["localhost"]);
    const local = await browser.newPage();
    await local.goto(`http://localhost:${allowed.port}/`);
    expect(await local.textContent("p")).toBe("ok");
  });

  test("a hostile page on the allowed origin reaches nothing else: no request, preconnect, WebSocket, beacon or WebRTC packet", async () => {
    const foreign = await countingServer();
    const stun = await countingUdp();
    const F = foreign.origin;
    const hostile = `<!doctype html>
<link rel="preconnect" href="${F}"><link rel="dns-prefetch" href="${F}"><link rel="prefetch" href="${F}/prefetch">
<img src="${F}/pixel.png"><a id="link" href="${F}/next">next</a>
<script>
  fetch("${F}/fetch").catch(() => undefined);
  new WebSocket("ws://127.0.0.1:${foreign.port}/socket");
  new EventSource("${F}/events");
  navigator.sendBeacon("${F}/beacon", "x");
  const pc = new RTCPeerConnection({ iceServers: [{ urls: "stun:127.0.0.1:${stun.port}" }] });
  pc.createDataChannel("x");
  pc.createOffer().then((offer) => pc.setLocalDescription(offer));
</script>`;
    const site = await countingServer("127.0.0.1", hostile);
    const guard = new NetworkGuard([site.origin]);
    browser = await launchTestChromium(["127.0.0.1"]);
    const page = await (await guard.newContext(browser)).newPage();
    await page.goto(`${site.origin}/`);
    await page.hover("#link");
    await expect.poll(() => new Set(guard.blocked.map((b) => b.resourceType)).size, { timeout: 10_000 }).toBeGreaterThanOrEqual(6);
    await page.waitForTimeout(2000); // time for ICE gathering to send a STUN binding request, if it could
    expect(new Set(guard.blocked.map((b) => b.resourceType))).toEqual(new Set(["image", "fetch", "websocket", "eventsource", "ping", "other"]));
    expect(foreign.connections()).toBe(0);
    expect(stun.datagrams()).toBe(0);
  });
});

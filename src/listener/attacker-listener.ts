import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { AttackerKeys } from "../forge/attacker-keys.ts";

/** One request the listener saw. */
export interface ListenerFetch {
  method: string;
  path: string;
  at: number;
}

/** A running attacker listener. */
export interface AttackerListener {
  origin: string;
  jkuUrl: string;
  x5uUrl: string;
  /** Every request seen so far (a copy), in arrival order. */
  fetches(): ListenerFetch[];
  stop(): Promise<void>;
}

export const JKU_PATH = "/attacker/jwks.json";
export const X5U_PATH = "/attacker/cert.pem";

/**
 * Start a loopback HTTP server (127.0.0.1, free port) serving the attacker JWKS at the jku path and the
 * attacker certificate at the x5u path, recording every request. A target that fetches from it trusts
 * key locations taken from the token (`token.jku-x5u`).
 * @example const listener = await startAttackerListener(keys); …; listener.fetches().length // 0 is good
 */
export async function startAttackerListener(keys: AttackerKeys): Promise<AttackerListener> {
  const seen: ListenerFetch[] = [];
  const jwks = JSON.stringify(keys.jwks);
  const server: Server = createServer((request, response) => {
    const path = request.url ?? "/";
    seen.push({ method: request.method ?? "GET", path, at: Date.now() });
    const pathname = path.split("?")[0];
    if (pathname === JKU_PATH) {
      response.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" }).end(jwks);
    } else if (pathname === X5U_PATH) {
      response.writeHead(200, { "content-type": "application/x-pem-file", "cache-control": "no-store" }).end(keys.x5u.certPem);
    } else {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found");
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    jkuUrl: `${origin}${JKU_PATH}`,
    x5uUrl: `${origin}${X5U_PATH}`,
    fetches: () => seen.map((entry) => ({ ...entry })),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

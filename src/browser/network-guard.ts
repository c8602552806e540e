import type { Browser, BrowserContext, Request, Route, WebSocketRoute } from "playwright-core";

/** A request the browser wanted to send outside the configured origins, which was aborted instead. */
export interface BlockedRequest {
  method: string;
  /** Origin and path only: queries and fragments can carry tokens. */
  url: string;
  /** Playwright's resource type: document, fetch, xhr, script, image, websocket, … */
  resourceType: string;
}

/** Schemes whose URLs never reach the network. */
const LOCAL_SCHEMES = new Set(["data:", "blob:", "about:"]);

/**
 * Blocked requests that mean the sign-up / sign-in flow did not run as the site intends: a page load
 * (main frame or iframe, e.g. a captcha or an identity provider), and the data calls a page makes (fetch,
 * XHR, EventSource, WebSocket). A blocked image, stylesheet, font, script or beacon is recorded but does not
 * change a verdict: if the flow depended on it, the flow itself fails and says which step.
 */
const FLOW_RESOURCE_TYPES = new Set(["document", "fetch", "xhr", "eventsource", "websocket"]);

/** True when the flow depended on this request (see FLOW_RESOURCE_TYPES). */
export function isNeededByFlow(blocked: Pick<BlockedRequest, "resourceType">): boolean {
  return FLOW_RESOURCE_TYPES.has(blocked.resourceType);
}

/** The origin a URL's request goes to; ws/wss count as their http/https origin. */
function requestOrigin(url: URL): string {
  const scheme = url.protocol === "ws:" ? "http:" : url.protocol === "wss:" ? "https:" : url.protocol;
  return new URL(`${scheme}//${url.host}`).origin;
}

/** Whether the browser may send a request to this URL: local schemes always, the network only to an allowed origin. */
export function isAllowedUrl(url: string, allowedOrigins: ReadonlySet<string>): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (LOCAL_SCHEMES.has(parsed.protocol)) return true;
  return allowedOrigins.has(requestOrigin(parsed));
}

function evidenceUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}${parsed.search || parsed.hash ? "?…" : ""}`;
  } catch {
    return url.slice(0, 200);
  }
}

/**
 * The browser side of "only configured origins receive traffic": every request and WebSocket of a context
 * is checked against the allowed origins; the others are aborted and recorded as evidence.
 */
export class NetworkGuard {
  readonly allowedOrigins: ReadonlySet<string>;
  readonly blocked: BlockedRequest[] = [];

  constructor(allowedOrigins: readonly string[]) {
    this.allowedOrigins = new Set(allowedOrigins.map((origin) => new URL(origin).origin));
  }

  /** Lets a request through, or records and aborts it. Returns whether it was allowed. */
  decide(request: { url: string; method: string; resourceType: string }): boolean {
    if (isAllowedUrl(request.url, this.allowedOrigins)) return true;
    this.blocked.push({ method: request.method, url: evidenceUrl(request.url), resourceType: request.resourceType });
    return false;
  }

  /** A new browser context whose every request goes through `decide` (service workers off, so none escapes routing). */
  async newContext(browser: Browser): Promise<BrowserContext> {
    const context = await browser.newContext({ serviceWorkers: "block" });
    await context.route("**/*", (route: Route, request: Request) =>
      this.decide({ url: request.url(), method: request.method(), resourceType: request.resourceType() })
        ? route.continue()
        : route.abort("blockedbyclient"),
    );
    await context.routeWebSocket(
      (url) => !isAllowedUrl(url.href, this.allowedOrigins),
      (ws: WebSocketRoute) => {
        this.decide({ url: ws.url(), method: "GET", resourceType: "websocket" });
        return ws.close({ code: 1008, reason: "blocked by authproof: not a configured origin" });
      },
    );
    return context;
  }

}

/** One evidence note per distinct blocked request, with a count when it repeated. */
export function blockedNotes(blocked: readonly BlockedRequest[]): string[] {
  const counts = new Map<string, number>();
  for (const b of blocked) {
    const line = describeBlocked(b);
    counts.set(line, (counts.get(line) ?? 0) + 1);
  }
  return [...counts].map(([line, n]) => `blocked (not a configured origin): ${line}${n > 1 ? ` ×${n}` : ""}`);
}

export function describeBlocked(blocked: BlockedRequest): string {
  return `${blocked.method} ${blocked.url} (${blocked.resourceType})`;
}

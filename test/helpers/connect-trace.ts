import path from "node:path";

/**
 * Reads `strace -f -y` output (see STRACE_ARGS) into the network destinations a process tree tried to reach:
 * every connect(), and every sendto()/sendmsg()/sendmmsg() with an explicit address, attributed to the
 * program that made it, plus whether anything was ever sent on each IP socket.
 */

/** strace options: follow children, name socket inodes, keep strings short, skip signals. */
export const STRACE_ARGS = [
  "-f",
  "-qq",
  "-y",
  "-s",
  "160",
  "-e",
  "signal=none",
  "-e",
  "trace=execve,clone,clone3,fork,vfork,socket,connect,sendto,sendmsg,sendmmsg,write,writev",
];

export interface Destination {
  /** connect, or a send with an explicit address. */
  via: "connect" | "sendto";
  family: "AF_INET" | "AF_INET6" | "AF_UNIX";
  /** IP address, or the socket path for AF_UNIX. */
  address: string;
  port?: number;
  /** SOCK_STREAM / SOCK_DGRAM / …, from the socket() call that made the fd. */
  socketType?: string;
  /** Socket inode (strace -y), to match later sends. */
  inode?: string;
  /** The program: executable and role (e.g. "chromium --type=utility network.mojom.NetworkService"). */
  program: string;
  /** The syscall's result: 0, or an errno name like ECONNREFUSED / EINPROGRESS. */
  result: string;
}

export interface ConnectTrace {
  destinations: Destination[];
  /** Inodes of sockets something was sent on (send*, write*). */
  socketsWithData: Set<string>;
  /** Programs that ran (execve), in order. */
  programs: string[];
}

const LINE = /^(\d+)\s+(.*)$/;

/** Joins `<unfinished ...>` / `<... x resumed>` halves so each syscall is one string, tagged with its thread id. */
function joinedCalls(text: string): Array<{ tid: string; call: string }> {
  const pending = new Map<string, string>();
  const calls: Array<{ tid: string; call: string }> = [];
  for (const raw of text.split("\n")) {
    const m = LINE.exec(raw);
    if (!m) continue;
    const [, tid, rest] = m as unknown as [string, string, string];
    if (rest.endsWith("<unfinished ...>")) {
      pending.set(tid, rest.slice(0, -"<unfinished ...>".length));
      continue;
    }
    const resumed = /^<\.\.\. \w+ resumed>(.*)$/.exec(rest);
    if (resumed) {
      calls.push({ tid, call: (pending.get(tid) ?? "") + resumed[1] });
      pending.delete(tid);
      continue;
    }
    calls.push({ tid, call: rest });
  }
  return calls;
}

/** "chromium --type=utility network.mojom.NetworkService", "node …/next start", "python -m uvicorn". */
export function programLabel(file: string, argv: string[]): string {
  const type = argv.find((a) => a.startsWith("--type="))?.slice(7);
  const sub = argv.find((a) => a.startsWith("--utility-sub-type="))?.slice(19);
  const base = path.basename(file) === "exe" ? "chromium" : path.basename(file);
  if (type) return `${base} --type=${type}${sub ? ` ${sub}` : ""}`;
  const args = argv.slice(1).filter((a) => !a.startsWith("-")).slice(0, 2).map((a) => (a.includes("/") ? `…/${path.basename(a)}` : a));
  return [base, ...args].join(" ");
}

function sockaddr(text: string): Pick<Destination, "family" | "address" | "port"> | undefined {
  const family = /sa_family=(AF_\w+)/.exec(text)?.[1];
  if (family === "AF_UNIX") return { family, address: /sun_path=(@?"[^"]*")/.exec(text)?.[1]?.replace(/"/g, "") ?? "(unnamed)" };
  if (family !== "AF_INET" && family !== "AF_INET6") return undefined;
  const address = /inet_addr\("([^"]+)"\)/.exec(text)?.[1] ?? /inet_pton\(AF_INET6, "([^"]+)"/.exec(text)?.[1];
  const port = /sin6?_port=htons\((\d+)\)/.exec(text)?.[1];
  if (!address) return undefined;
  return { family, address, ...(port ? { port: Number(port) } : {}) };
}

/** The return value (or errno name) after the last `) = `. */
function resultOf(call: string): string {
  const m = [...call.matchAll(/\)\s+=\s+(-?\d+|\?)(?:<[^>]*>)?(?:\s+(E[A-Z0-9]+))?/g)].at(-1);
  if (!m) return "?";
  return m[2] ?? m[1]!;
}

/** Parses strace output into destinations, sockets that carried data, and the programs that ran. */
export function parseConnectTrace(text: string): ConnectTrace {
  const programOf = new Map<string, string>();
  const socketTypes = new Map<string, string>();
  const destinations: Destination[] = [];
  const socketsWithData = new Set<string>();
  const programs: string[] = [];
  const calls = joinedCalls(text);
  const program = (tid: string) => programOf.get(tid) ?? `process ${tid}`;
  for (const { tid, call } of calls) {
    const name = /^(\w+)\(/.exec(call)?.[1];
    if (!name) continue;
    if (name === "execve") {
      if (resultOf(call) !== "0") continue;
      const parts = /^execve\("([^"]*)", \[(.*)\], 0x/.exec(call);
      const file = parts?.[1] ?? "?";
      const argv = [...(parts?.[2] ?? "").matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!);
      const label = programLabel(file, argv);
      programOf.set(tid, label);
      programs.push(label);
    } else if (name === "clone" || name === "clone3" || name === "fork" || name === "vfork") {
      const child = resultOf(call);
      if (/^\d+$/.test(child)) programOf.set(child, program(tid));
    } else if (name === "socket") {
      const type = /^socket\(\w+, (SOCK_\w+)/.exec(call)?.[1];
      const inode = /=\s+\d+<socket:\[(\d+)\]>/.exec(call)?.[1];
      if (type && inode) socketTypes.set(inode, type);
    } else {
      const inode = /^\w+\(\d+<socket:\[(\d+)\]>/.exec(call)?.[1];
      if (name !== "connect" && inode && !/=\s+-1/.test(call)) socketsWithData.add(inode);
      if (name !== "connect" && name !== "sendto" && name !== "sendmsg" && name !== "sendmmsg") continue;
      const addr = sockaddr(/\{sa_family=[^}]*\}/.exec(call)?.[0] ?? "");
      if (!addr) continue;
      const socketType = inode ? socketTypes.get(inode) : undefined;
      destinations.push({ via: name === "connect" ? "connect" : "sendto", ...addr, ...(socketType ? { socketType } : {}), ...(inode ? { inode } : {}), program: program(tid), result: resultOf(call) });
    }
  }
  return { destinations, socketsWithData, programs };
}

const LOOPBACK_V4 = /^127\./;
const LOOPBACK_V6 = /^(::1|::ffff:127\.[\d.]+)$/;

export function isLoopback(address: string): boolean {
  return LOOPBACK_V4.test(address) || LOOPBACK_V6.test(address);
}

export type DestinationClass =
  | "loopback, audited origin"
  | "loopback, other port"
  | "DNS (port 53)"
  | "non-loopback TCP"
  | "non-loopback UDP, data sent"
  | "non-loopback UDP route lookup, nothing sent"
  | "local IPC (AF_UNIX)";

/**
 * Sorts one destination. A UDP connect() sends no packet: it only asks the kernel for a route, which
 * Chromium's resolver does before each resolution (an IPv6 reachability probe to 2001:4860:4860::8888:443,
 * no flag or feature turns it off); such a socket is a finding only if anything is then sent on it.
 */
export function classify(d: Destination, allowedPorts: ReadonlySet<number>, socketsWithData: ReadonlySet<string>): DestinationClass {
  if (d.family === "AF_UNIX") return "local IPC (AF_UNIX)";
  if (d.port === 53) return "DNS (port 53)";
  if (isLoopback(d.address)) return d.port !== undefined && allowedPorts.has(d.port) ? "loopback, audited origin" : "loopback, other port";
  const udp = d.socketType === "SOCK_DGRAM";
  if (!udp) return "non-loopback TCP";
  const sent = d.via === "sendto" || (d.inode !== undefined && socketsWithData.has(d.inode));
  return sent ? "non-loopback UDP, data sent" : "non-loopback UDP route lookup, nothing sent";
}

/** Classes that mean traffic went (or tried to go) somewhere other than the audited loopback origins. */
export const FAILING_CLASSES: ReadonlySet<DestinationClass> = new Set([
  "loopback, other port",
  "DNS (port 53)",
  "non-loopback TCP",
  "non-loopback UDP, data sent",
  // Chromium's IPv6 reachability probe (a UDP connect to 2001:4860:4860::8888 that sends nothing): the browser's
  // connect guard (src/browser/connect-guard.ts) stops it before the system call, so it must not appear either.
  "non-loopback UDP route lookup, nothing sent",
]);

export function destinationText(d: Destination): string {
  const where = d.family === "AF_UNIX" ? d.address : d.family === "AF_INET6" ? `[${d.address}]:${d.port ?? "?"}` : `${d.address}:${d.port ?? "?"}`;
  return `${d.via} ${d.socketType ?? d.family} ${where} by ${d.program} → ${d.result}`;
}

/** Counts per class and per destination text, for a readable summary. */
export function summarise(trace: ConnectTrace, allowedPorts: ReadonlySet<number>): Map<DestinationClass, Map<string, number>> {
  const out = new Map<DestinationClass, Map<string, number>>();
  for (const d of trace.destinations) {
    const cls = classify(d, allowedPorts, trace.socketsWithData);
    const key = destinationText({ ...d, result: d.result === "EINPROGRESS" || d.result === "0" ? "ok" : d.result });
    const bucket = out.get(cls) ?? new Map<string, number>();
    bucket.set(key, (bucket.get(key) ?? 0) + 1);
    out.set(cls, bucket);
  }
  return out;
}

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * A preload library for the browser's processes: connect(), sendto() and sendmsg() to any IP address but
 * loopback and the allowed ones fail with ENETUNREACH before the system call, so nothing Chromium decides on
 * its own (its IPv6 reachability probe to 2001:4860:4860::8888, a stray lookup) ever reaches the network. The
 * launch flags and the request allow-list stay the first walls; this is the last one.
 */
const SOURCE = String.raw`#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static int listed(int family, const void *addr) {
  const char *env = getenv("AUTHPROOF_CONNECT_ALLOW");
  if (!env) return 0;
  char list[4096];
  strncpy(list, env, sizeof list - 1);
  list[sizeof list - 1] = 0;
  char *save = 0;
  for (char *item = strtok_r(list, ",", &save); item; item = strtok_r(0, ",", &save)) {
    unsigned char parsed[16];
    if (inet_pton(family, item, parsed) != 1) continue;
    if (memcmp(parsed, addr, family == AF_INET ? 4 : 16) == 0) return 1;
  }
  return 0;
}

static int allowed(const struct sockaddr *addr) {
  if (!addr) return 1;
  if (addr->sa_family == AF_INET) {
    const struct sockaddr_in *in = (const struct sockaddr_in *)addr;
    if (((const unsigned char *)&in->sin_addr)[0] == 127) return 1;
    return listed(AF_INET, &in->sin_addr);
  }
  if (addr->sa_family == AF_INET6) {
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)addr;
    if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr)) return 1;
    if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && in6->sin6_addr.s6_addr[12] == 127) return 1;
    return listed(AF_INET6, &in6->sin6_addr);
  }
  return 1;
}

int connect(int fd, const struct sockaddr *addr, socklen_t len) {
  static int (*real)(int, const struct sockaddr *, socklen_t);
  if (!real) real = dlsym(RTLD_NEXT, "connect");
  if (!allowed(addr)) { errno = ENETUNREACH; return -1; }
  return real(fd, addr, len);
}

ssize_t sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *addr, socklen_t len) {
  static ssize_t (*real)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
  if (!real) real = dlsym(RTLD_NEXT, "sendto");
  if (!allowed(addr)) { errno = ENETUNREACH; return -1; }
  return real(fd, buf, n, flags, addr, len);
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags) {
  static ssize_t (*real)(int, const struct msghdr *, int);
  if (!real) real = dlsym(RTLD_NEXT, "sendmsg");
  if (msg && msg->msg_name && !allowed((const struct sockaddr *)msg->msg_name)) { errno = ENETUNREACH; return -1; }
  return real(fd, msg, flags);
}
`;

/** The compiled library (built once per source version with the system's C compiler), or why there is none. */
export type ConnectGuard = { library: string } | { unavailable: string };

let built: ConnectGuard | undefined;

export function connectGuard(cacheDir = path.join(tmpdir(), "authproof-connect-guard")): ConnectGuard {
  if (built) return built;
  if (process.platform !== "linux") return (built = { unavailable: "the connect guard is Linux-only" });
  const digest = createHash("sha256").update(SOURCE).digest("hex").slice(0, 12);
  const library = path.join(cacheDir, `connect-guard-${digest}.so`);
  if (existsSync(library)) return (built = { library });
  try {
    mkdirSync(cacheDir, { recursive: true });
    const source = path.join(cacheDir, `connect-guard-${digest}-${process.pid}.c`);
    writeFileSync(source, SOURCE);
    const partial = `${library}.${process.pid}`;
    try {
      execFileSync("cc", ["-shared", "-fPIC", "-O2", "-o", partial, source, "-ldl"], { stdio: "pipe" });
    } finally {
      rmSync(source, { force: true });
    }
    renameSync(partial, library);
    return (built = { library });
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no C compiler (cc) to build it" : `cc failed: ${String((error as { stderr?: Buffer }).stderr ?? error).split("\n")[0]}`;
    return (built = { unavailable: reason });
  }
}

/** The environment that loads the guard into the browser, allowing `addresses` (IP literals) besides loopback. */
export function guardEnv(guard: ConnectGuard, addresses: readonly string[]): Record<string, string> {
  if (!("library" in guard)) return {};
  const preload = [guard.library, process.env.LD_PRELOAD].filter(Boolean).join(":");
  return { LD_PRELOAD: preload, AUTHPROOF_CONNECT_ALLOW: addresses.join(",") };
}

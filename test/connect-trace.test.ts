import { describe, expect, test } from "vitest";
import { classify, FAILING_CLASSES, parseConnectTrace, programLabel } from "./helpers/connect-trace.ts";

// strace -f -y lines as the browser-network test records them (shapes copied from real traces).
const TRACE = `
100 execve("/usr/bin/node", ["node", "bin/authproof.js", "reference", "--only", "browser,cookie"], 0x7ffc /* 37 vars */) = 0
100 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f) = 200
200 execve("/usr/lib/chromium/chromium", ["/usr/lib/chromium/chromium", "--headless"], 0x10e8 /* 57 vars */) = 0
200 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD, exit_signal=0} => {parent_tid=[201]}, 88) = 201
200 vfork( <unfinished ...>
200 <... vfork resumed>)                = 300
300 execve("/proc/self/exe", ["/proc/self/exe", "--type=utility", "--utility-sub-type=network.mojom.NetworkService", "--lang=en-US"], 0x2f0 /* 47 vars */ <unfinished ...>
300 <... execve resumed>)               = 0
300 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_IP) = 19<socket:[1001]>
300 connect(19<socket:[1001]>, {sa_family=AF_INET, sin_port=htons(3000), sin_addr=inet_addr("127.0.0.1")}, 16) = -1 EINPROGRESS (Operation now in progress)
300 socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_IP) = 20<socket:[1002]>
300 connect(20<socket:[1002]>, {sa_family=AF_INET, sin_port=htons(9999), sin_addr=inet_addr("127.0.0.1")}, 16) = -1 ECONNREFUSED (Connection refused)
300 socket(AF_INET6, SOCK_DGRAM, IPPROTO_IP <unfinished ...>
201 socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0) = 27<socket:[1004]>
300 <... socket resumed>)               = 21<socket:[1003]>
300 connect(21<socket:[1003]>, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2001:4860:4860::8888", &sin6_addr), sin6_scope_id=0}, 28) = 0
201 connect(27<socket:[1004]>, {sa_family=AF_UNIX, sun_path="/run/dbus/system_bus_socket"}, 29) = -1 ENOENT (No such file or directory)
300 socket(AF_INET, SOCK_DGRAM|SOCK_NONBLOCK, IPPROTO_IP) = 22<socket:[1005]>
300 connect(22<socket:[1005]>, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.255.255.53")}, 16) = 0
300 socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 23<socket:[1006]>
300 connect(23<socket:[1006]>, {sa_family=AF_INET, sin_port=htons(3478), sin_addr=inet_addr("192.0.2.7")}, 16) = 0
300 write(23<socket:[1006]>, "\\0\\1\\0\\0", 4) = 4
300 socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 24<socket:[1007]>
300 sendto(24<socket:[1007]>, "\\0\\0", 2, 0, {sa_family=AF_INET, sin_port=htons(5353), sin_addr=inet_addr("224.0.0.251")}, 16) = 2
300 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 25<socket:[1008]>
300 connect(25<socket:[1008]>, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("142.250.0.1")}, 16) = -1 ENETUNREACH (Network is unreachable)
300 sendto(5<socket:[1]>, {{nlmsg_len=20, nlmsg_type=RTM_GETADDR}}, 20, 0, {sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}, 12) = 20
`;

describe("connect traces", () => {
  const trace = parseConnectTrace(TRACE);
  const allowed = new Set([3000]);
  const classes = () => trace.destinations.map((d) => `${d.address}:${d.port ?? ""} ${classify(d, allowed, trace.socketsWithData)}`);

  test("joins interrupted calls and names each destination's program and socket type", () => {
    expect(trace.programs).toEqual(["node …/authproof.js reference", "chromium", "chromium --type=utility network.mojom.NetworkService"]);
    const [first] = trace.destinations;
    expect(first).toMatchObject({ via: "connect", family: "AF_INET", address: "127.0.0.1", port: 3000, socketType: "SOCK_STREAM", result: "EINPROGRESS", program: "chromium --type=utility network.mojom.NetworkService" });
    expect(trace.destinations.find((d) => d.family === "AF_UNIX")).toMatchObject({ address: "/run/dbus/system_bus_socket", program: "chromium", result: "ENOENT" });
    expect(trace.destinations.find((d) => d.address === "2001:4860:4860::8888")).toMatchObject({ socketType: "SOCK_DGRAM", result: "0" });
  });

  test("sorts destinations: audited origins, other ports, DNS, TCP out, UDP with data, route lookups, IPC", () => {
    expect(classes()).toEqual([
      "127.0.0.1:3000 loopback, audited origin",
      "127.0.0.1:9999 loopback, other port",
      "2001:4860:4860::8888:443 non-loopback UDP route lookup, nothing sent",
      "/run/dbus/system_bus_socket: local IPC (AF_UNIX)",
      "10.255.255.53:53 DNS (port 53)",
      "192.0.2.7:3478 non-loopback UDP, data sent",
      "224.0.0.251:5353 non-loopback UDP, data sent",
      "142.250.0.1:443 non-loopback TCP",
    ]);
  });

  test("everything outside the audited origins fails, a UDP route lookup too (the connect guard stops it); IPC does not", () => {
    const failing = trace.destinations.filter((d) => FAILING_CLASSES.has(classify(d, allowed, trace.socketsWithData))).map((d) => d.address);
    expect(failing).toEqual(["127.0.0.1", "2001:4860:4860::8888", "10.255.255.53", "192.0.2.7", "224.0.0.251", "142.250.0.1"]);
  });

  test("program labels keep what tells processes apart", () => {
    expect(programLabel("/usr/bin/node", ["/usr/bin/node", "/repo/node_modules/next/dist/bin/next", "start", "-H", "127.0.0.1"])).toBe("node …/next start");
    expect(programLabel("/repo/.venv/bin/python", ["python", "-m", "uvicorn", "app.main:app"])).toBe("python uvicorn app.main:app");
    expect(programLabel("/usr/lib/chromium/chromium", ["chromium", "--type=renderer", "--lang=en-US"])).toBe("chromium --type=renderer");
  });
});

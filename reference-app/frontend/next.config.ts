import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { NextConfig } from "next";

// In the authproof repository the frontend is an npm workspace whose dependencies are hoisted to the
// repository root; on its own (e.g. in Docker) it has its own node_modules.
const here = path.dirname(fileURLToPath(import.meta.url));
const workspaceRoot = path.resolve(here, "../..");
const root = existsSync(path.join(here, "node_modules", "next")) ? here : workspaceRoot;

const nextConfig: NextConfig = {
  serverExternalPackages: ["better-sqlite3", "pg"],
  outputFileTracingRoot: root,
  turbopack: { root },
  poweredByHeader: false,
};

export default nextConfig;

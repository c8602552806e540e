import { TargetError } from "./errors.ts";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS";

export const HTTP_METHODS: readonly HttpMethod[] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/** One operation of the target API, with every local `$ref` resolved. */
export interface Operation {
  method: HttpMethod;
  /** Path template as written in the document, e.g. `/api/tasks/{task_id}`. */
  path: string;
  operationId?: string;
  /** The operation's OpenAPI tags (FastAPI: the router's `tags`), when it has any. */
  tags?: string[];
  /** The operation (or the document, when the operation says nothing) requires a security scheme. */
  declaresSecurity: boolean;
  /** On the public allow-list: may answer without a token. */
  isPublic: boolean;
  pathParams: Array<{ name: string; schema: unknown }>;
  queryParams: Array<{ name: string; required: boolean; schema: unknown }>;
  requestBody?: { contentType: string; schema: unknown; required: boolean };
  /** Documented status codes (`"200"`, `"422"`, `"default"`, …). */
  responses: string[];
  /** JSON schema of the first documented 2xx response, when it has one. */
  responseSchema?: unknown;
}

export interface DiscoverOptions {
  /** Route patterns that may answer without a token: `/health`, `GET /openapi.json`, `/docs*`, `/static/**`. */
  publicRoutes: string[];
  /** Operations to test even though the document does not list them. */
  include?: Array<{ method: string; path: string }>;
  /** Route patterns to leave out: `DELETE /api/admin/*`, `/internal*`. */
  exclude?: string[];
}

/** Marker left in a schema where a `$ref` points back into itself (recursive models). */
export const CIRCULAR_REF = "x-authproof-circular-ref";
/** Marker left in a schema where a `$ref` points outside the document. */
export const EXTERNAL_REF = "x-authproof-external-ref";

const MAX_DEPTH = 256;
const DOC_METHODS = ["get", "put", "post", "delete", "options", "head", "patch"] as const;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function invalid(message: string): TargetError {
  return new TargetError("OPENAPI_INVALID", message);
}

/**
 * Lists the operations of an OpenAPI 3.x document (FastAPI's `/openapi.json`), with parameters,
 * request-body schemas and security resolved, the public allow-list applied, `exclude` removed and
 * `include` added. Throws `TargetError` (`OPENAPI_INVALID` / `OPENAPI_UNSUPPORTED`) naming what is wrong.
 */
export function discoverOperations(doc: unknown, opts: DiscoverOptions): Operation[] {
  const root = parseDocument(doc);
  const resolver = new RefResolver(root);
  const publicMatchers = opts.publicRoutes.map((p) => compileRoutePattern(p, "publicRoutes"));
  const excludeMatchers = (opts.exclude ?? []).map((p) => compileRoutePattern(p, "exclude"));
  const globalSecurity = root["security"];
  const operations: Operation[] = [];

  const paths = root["paths"] ?? {};
  if (!isObject(paths)) throw invalid(`"paths" must be an object, got ${describe(paths)}`);

  for (const [path, rawItem] of Object.entries(paths)) {
    const where = `paths[${JSON.stringify(path)}]`;
    if (!path.startsWith("/")) throw invalid(`${where}: a path must start with "/"`);
    const item = resolver.follow(rawItem, where);
    if (!isObject(item)) throw invalid(`${where} must be an object, got ${describe(item)}`);
    const sharedParams = readParameters(resolver, item["parameters"], `${where}.parameters`);

    for (const lower of DOC_METHODS) {
      const rawOp = item[lower];
      if (rawOp === undefined) continue;
      const opWhere = `${where}.${lower}`;
      if (!isObject(rawOp)) throw invalid(`${opWhere} must be an object, got ${describe(rawOp)}`);
      const method = lower.toUpperCase() as HttpMethod;
      if (excludeMatchers.some((m) => m(method, path))) continue;

      const params = mergeParameters(sharedParams, readParameters(resolver, rawOp["parameters"], `${opWhere}.parameters`));
      const security = rawOp["security"] !== undefined ? rawOp["security"] : globalSecurity;
      const operation: Operation = {
        method,
        path,
        declaresSecurity: requiresSecurity(security),
        isPublic: publicMatchers.some((m) => m(method, path)),
        pathParams: pathParamsOf(path, params),
        queryParams: params
          .filter((p) => p.in === "query")
          .map((p) => ({ name: p.name, required: p.required, schema: p.schema })),
        responses: isObject(rawOp["responses"]) ? Object.keys(rawOp["responses"]) : [],
      };
      if (typeof rawOp["operationId"] === "string") operation.operationId = rawOp["operationId"];
      const tags = Array.isArray(rawOp["tags"]) ? rawOp["tags"].filter((t): t is string => typeof t === "string") : [];
      if (tags.length > 0) operation.tags = tags;
      const body = readRequestBody(resolver, rawOp["requestBody"], `${opWhere}.requestBody`);
      if (body) operation.requestBody = body;
      const responseSchema = readSuccessSchema(resolver, rawOp["responses"], `${opWhere}.responses`);
      if (responseSchema !== undefined) operation.responseSchema = responseSchema;
      operations.push(operation);
    }
  }

  for (const extra of opts.include ?? []) {
    const method = String(extra.method ?? "").toUpperCase();
    if (!(HTTP_METHODS as readonly string[]).includes(method)) {
      throw new TargetError("ROUTE_INVALID", `include: unknown method ${JSON.stringify(extra.method)} (use one of ${HTTP_METHODS.join(", ")})`);
    }
    if (typeof extra.path !== "string" || !extra.path.startsWith("/")) {
      throw new TargetError("ROUTE_INVALID", `include: path ${JSON.stringify(extra.path)} must start with "/"`);
    }
    const m = method as HttpMethod;
    if (operations.some((op) => op.method === m && samePath(op.path, extra.path))) continue;
    if (excludeMatchers.some((match) => match(m, extra.path))) continue;
    operations.push({
      method: m,
      path: extra.path,
      declaresSecurity: requiresSecurity(globalSecurity),
      isPublic: publicMatchers.some((match) => match(m, extra.path)),
      pathParams: pathParamsOf(extra.path, []),
      queryParams: [],
      responses: [],
    });
  }
  return operations;
}

/**
 * True when `pattern` covers the operation `method path`. Patterns: `/path` (any method) or
 * `METHOD /path`; `*` matches within one segment, `**` across segments (`DELETE /api/admin/**`).
 */
export function routeMatches(pattern: string, method: string, path: string): boolean {
  return compileRoutePattern(pattern, "route pattern")(method.toUpperCase(), path);
}

function compileRoutePattern(pattern: string, field: string): (method: string, path: string) => boolean {
  if (typeof pattern !== "string") throw new TargetError("ROUTE_INVALID", `${field}: ${describe(pattern)} is not a route pattern`);
  const parts = pattern.trim().split(/\s+/);
  let method: string | undefined;
  let glob: string;
  if (parts.length === 2) {
    method = parts[0]!.toUpperCase();
    glob = parts[1]!;
    if (method !== "*" && !(HTTP_METHODS as readonly string[]).includes(method)) {
      throw new TargetError("ROUTE_INVALID", `${field}: ${JSON.stringify(pattern)} names an unknown method (use "METHOD /path" or "/path")`);
    }
  } else if (parts.length === 1) {
    glob = parts[0]!;
  } else {
    throw new TargetError("ROUTE_INVALID", `${field}: ${JSON.stringify(pattern)} is not "METHOD /path" or "/path"`);
  }
  if (!glob.startsWith("/") && !glob.startsWith("*")) {
    throw new TargetError("ROUTE_INVALID", `${field}: ${JSON.stringify(pattern)} must start with "/"`);
  }
  // `**` spans segments, `*` stays within one (as the config documents).
  const regex = new RegExp(
    "^" +
      trimSlash(glob)
        .split("**")
        .map((part) => part.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join("[^/]*"))
        .join(".*") +
      "$",
  );
  return (m, path) => (method === undefined || method === "*" || method === m) && regex.test(trimSlash(path));
}

function trimSlash(path: string): string {
  return path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
}

/** Same template, whatever the parameter names: `/a/{id}` equals `/a/{task_id}`. */
export function samePath(a: string, b: string): boolean {
  const shape = (p: string) => trimSlash(p).replace(/\{[^}]*\}/g, "{}");
  return shape(a) === shape(b);
}

function parseDocument(doc: unknown): Json {
  let value = doc;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      throw invalid("the document is not JSON (YAML is not supported; FastAPI serves JSON at /openapi.json)");
    }
  }
  if (!isObject(value)) throw invalid(`the document must be a JSON object, got ${describe(value)}`);
  if (typeof value["swagger"] === "string") {
    throw new TargetError("OPENAPI_UNSUPPORTED", `Swagger ${value["swagger"]} documents are not supported; give an OpenAPI 3.x document`);
  }
  const version = value["openapi"];
  if (typeof version !== "string") {
    throw invalid(`missing "openapi" version field (is this an OpenAPI document? keys: ${Object.keys(value).slice(0, 8).join(", ") || "none"})`);
  }
  if (!/^3\.\d+/.test(version)) {
    throw new TargetError("OPENAPI_UNSUPPORTED", `OpenAPI version ${JSON.stringify(version)} is not supported; 3.0 and 3.1 are`);
  }
  if (value["paths"] === undefined && value["webhooks"] === undefined) throw invalid(`the document has no "paths"`);
  if (value["components"] !== undefined && !isObject(value["components"])) {
    throw invalid(`"components" must be an object, got ${describe(value["components"])}`);
  }
  return value;
}

interface RawParameter {
  name: string;
  in: string;
  required: boolean;
  schema: unknown;
}

function readParameters(resolver: RefResolver, raw: unknown, where: string): RawParameter[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw invalid(`${where} must be an array, got ${describe(raw)}`);
  return raw.map((entry, i) => {
    const at = `${where}[${i}]`;
    const param = resolver.follow(entry, at);
    if (!isObject(param)) throw invalid(`${at} must be an object, got ${describe(param)}`);
    const name = param["name"];
    const location = param["in"];
    if (typeof name !== "string" || name === "") throw invalid(`${at} has no "name"`);
    if (location !== "path" && location !== "query" && location !== "header" && location !== "cookie") {
      throw invalid(`${at} (${name}): "in" must be path, query, header or cookie, got ${describe(location)}`);
    }
    let schema: unknown = param["schema"];
    if (schema === undefined && isObject(param["content"])) {
      const first = Object.values(param["content"])[0];
      if (isObject(first)) schema = first["schema"];
    }
    return {
      name,
      in: location,
      required: location === "path" || param["required"] === true,
      schema: resolver.deep(schema ?? {}, `${at}.schema`),
    };
  });
}

function mergeParameters(shared: RawParameter[], own: RawParameter[]): RawParameter[] {
  const merged = shared.filter((s) => !own.some((o) => o.name === s.name && o.in === s.in));
  return [...merged, ...own];
}

function pathParamsOf(path: string, params: RawParameter[]): Operation["pathParams"] {
  const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  return names.map((name) => ({
    name,
    schema: params.find((p) => p.in === "path" && p.name === name)?.schema ?? { type: "string" },
  }));
}

const BODY_PREFERENCE = [
  (t: string) => t === "application/json",
  (t: string) => /^application\/[\w.+-]*\+json$/.test(t) || t.startsWith("application/json;"),
  (t: string) => t === "application/x-www-form-urlencoded",
  (t: string) => t === "multipart/form-data",
  () => true,
];

function readRequestBody(resolver: RefResolver, raw: unknown, where: string): Operation["requestBody"] {
  if (raw === undefined) return undefined;
  const body = resolver.follow(raw, where);
  if (!isObject(body)) throw invalid(`${where} must be an object, got ${describe(body)}`);
  const content = body["content"];
  if (!isObject(content) || Object.keys(content).length === 0) return undefined;
  const types = Object.keys(content);
  let contentType = types[0]!;
  for (const prefer of BODY_PREFERENCE) {
    const hit = types.find((t) => prefer(t.toLowerCase()));
    if (hit) {
      contentType = hit;
      break;
    }
  }
  const media = content[contentType];
  const schema = isObject(media) && media["schema"] !== undefined ? media["schema"] : {};
  return {
    contentType,
    schema: resolver.deep(schema, `${where}.content[${JSON.stringify(contentType)}].schema`),
    required: body["required"] === true,
  };
}

function readSuccessSchema(resolver: RefResolver, raw: unknown, where: string): unknown {
  if (!isObject(raw)) return undefined;
  const code = Object.keys(raw).filter((c) => /^2(\d\d|XX)$/i.test(c)).sort()[0];
  if (code === undefined) return undefined;
  const response = resolver.follow(raw[code], `${where}[${code}]`);
  if (!isObject(response) || !isObject(response["content"])) return undefined;
  const content = response["content"];
  const type = Object.keys(content).find((t) => /json/i.test(t));
  const media = type === undefined ? undefined : content[type];
  if (!isObject(media) || media["schema"] === undefined) return undefined;
  return resolver.deep(media["schema"], `${where}[${code}].content[${JSON.stringify(type)}].schema`);
}

/** `security: []` or an empty alternative (`{}`) means anonymous access is allowed. */
function requiresSecurity(security: unknown): boolean {
  if (!Array.isArray(security) || security.length === 0) return false;
  return security.every((alt) => isObject(alt) && Object.keys(alt).length > 0);
}

/** Resolves local `$ref`s (`#/components/...`) with cycle protection and a depth bound. */
class RefResolver {
  private readonly cache = new Map<string, unknown>();
  private cycles = 0;

  constructor(private readonly doc: Json) {}

  /** Follows a `$ref` chain at the top of `value` (parameters, request bodies, path items). */
  follow(value: unknown, where: string): unknown {
    const seen = new Set<string>();
    let current = value;
    while (isObject(current) && typeof current["$ref"] === "string") {
      const ref = current["$ref"];
      if (seen.has(ref)) throw invalid(`${where}: $ref ${JSON.stringify(ref)} refers to itself`);
      seen.add(ref);
      current = this.lookup(ref, where);
    }
    return current;
  }

  /** Returns `value` with every `$ref` inside it replaced by its target. */
  deep(value: unknown, where: string, stack: string[] = [], depth = 0): unknown {
    if (depth > MAX_DEPTH) throw invalid(`${where}: nested deeper than ${MAX_DEPTH} levels`);
    if (Array.isArray(value)) return value.map((v) => this.deep(v, where, stack, depth + 1));
    if (!isObject(value)) return value;
    const ref = value["$ref"];
    if (typeof ref === "string") {
      const siblings: Json = {};
      for (const [k, v] of Object.entries(value)) if (k !== "$ref") siblings[k] = this.deep(v, where, stack, depth + 1);
      if (!ref.startsWith("#")) return { ...siblings, [EXTERNAL_REF]: ref };
      if (stack.includes(ref)) {
        this.cycles++;
        return { ...siblings, [CIRCULAR_REF]: ref };
      }
      let resolved = this.cache.get(ref);
      if (resolved === undefined) {
        const cyclesBefore = this.cycles;
        resolved = this.deep(this.lookup(ref, where), ref, [...stack, ref], depth + 1);
        if (this.cycles === cyclesBefore) this.cache.set(ref, resolved);
      }
      return Object.keys(siblings).length > 0 && isObject(resolved) ? { ...resolved, ...siblings } : resolved;
    }
    const out: Json = {};
    for (const [k, v] of Object.entries(value)) out[k] = this.deep(v, where, stack, depth + 1);
    return out;
  }

  private lookup(ref: string, where: string): unknown {
    if (!ref.startsWith("#")) {
      throw new TargetError("OPENAPI_UNSUPPORTED", `${where}: external $ref ${JSON.stringify(ref)} is not supported (bundle the document first)`);
    }
    let current: unknown = this.doc;
    const pointer = ref.slice(1);
    if (pointer !== "" && !pointer.startsWith("/")) throw invalid(`${where}: $ref ${JSON.stringify(ref)} is not a JSON pointer`);
    for (const raw of pointer.split("/").slice(1)) {
      let token: string;
      try {
        token = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
      } catch {
        throw invalid(`${where}: $ref ${JSON.stringify(ref)} is not a valid JSON pointer`);
      }
      if (Array.isArray(current) && /^\d+$/.test(token)) current = current[Number(token)];
      else if (isObject(current) && Object.hasOwn(current, token)) current = current[token];
      else current = undefined;
      if (current === undefined) throw invalid(`${where}: $ref ${JSON.stringify(ref)} does not resolve (no ${JSON.stringify(token)})`);
    }
    return current;
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value)}`;
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}

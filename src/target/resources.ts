import { TargetError } from "./errors.ts";
import { samePath, type HttpMethod, type Operation } from "./openapi.ts";

/** A CRUD resource the isolation checks can exercise: create as A, then read/write/list/delete as B. */
export interface Resource {
  /** Collection path template, e.g. `/api/{user_id}/tasks`. */
  collection: string;
  /** Item path template, e.g. `/api/{user_id}/tasks/{task_id}`. */
  item: string;
  /** The item path parameter that carries the object id. */
  idParam: string;
  /** The field of the created object's JSON that holds the id. */
  idField: string;
  /** A path parameter that names the acting user (`/api/{user_id}/tasks`): filled with the user's id. */
  userIdParam?: string;
  /** Other path parameters of the collection (a parent object's id) that need a value before use. */
  parentParams?: string[];
  /** A request body to create objects with, given in the config (otherwise synthesised from the schema). */
  createBody?: unknown;
  create?: Operation;
  read?: Operation;
  list?: Operation;
  /** PUT and/or PATCH on the item. */
  update?: Operation[];
  remove?: Operation;
  /** State-changing sub-routes of an item, e.g. `PATCH /api/{user_id}/tasks/{task_id}/complete`. */
  actions?: Operation[];
  /** Reads under an item, e.g. `GET /api/tasks/{task_id}/comments`. */
  views?: Operation[];
}

/** A resource as the user configures it; every field but `collection` is optional. */
export interface ResourceConfig {
  collection: string;
  item?: string;
  idParam?: string;
  idField?: string;
  userIdParam?: string;
  createBody?: unknown;
}

const USER_ID_NAME = /^(?:(?:user|owner|account|member|author|customer|profile|tenant)[_-]?(?:id|uuid|key)?|uid|sub)$/i;

/** Whether a path parameter's name says it carries a user id (user_id, userId, owner_id, uid, …). */
export function looksLikeUserIdParam(name: string): boolean {
  return USER_ID_NAME.test(name);
}
const USER_COLLECTION = /^(?:users?|accounts?|members?|owners?|profiles?|customers?)$/i;
const ID_FIELD_CANDIDATES = (idParam: string): string[] => [
  "id",
  idParam,
  toCamel(idParam),
  "_id",
  "uuid",
  "pk",
];

/**
 * Finds CRUD resources in the operations: a collection path (POST and/or GET) whose last segment is a
 * literal, plus an item path `<collection>/{param}`. Recognises user-scoped layouts
 * (`/api/{user_id}/tasks`, `/api/users/{userId}/tasks`). `configured` entries override inferred ones
 * (matched by path shape) and may name resources the document does not list.
 */
export function inferResources(ops: Operation[], configured: ResourceConfig[] = []): Resource[] {
  const byPath = new Map<string, Operation[]>();
  for (const op of ops) {
    const list = byPath.get(op.path) ?? [];
    list.push(op);
    byPath.set(op.path, list);
  }

  const inferred: Resource[] = [];
  for (const [collection, collectionOps] of byPath) {
    const segments = splitPath(collection);
    const last = segments[segments.length - 1];
    if (last === undefined || isParam(last)) continue;
    if (!collectionOps.some((op) => op.method === "POST" || op.method === "GET")) continue;
    for (const [item, itemOps] of byPath) {
      const itemSegments = splitPath(item);
      if (itemSegments.length !== segments.length + 1) continue;
      if (!segments.every((s, i) => s === itemSegments[i])) continue;
      const idSegment = itemSegments[itemSegments.length - 1]!;
      if (!isParam(idSegment)) continue;
      if (!itemOps.some((op) => ["GET", "PUT", "PATCH", "DELETE"].includes(op.method))) continue;
      inferred.push(assemble(ops, { collection, item, idParam: paramName(idSegment) }));
    }
  }

  const result = inferred.slice();
  for (const config of configured) {
    const resource = fromConfig(ops, config);
    const index = result.findIndex((r) => samePath(r.collection, resource.collection));
    if (index >= 0) result.splice(index, 1, resource);
    else result.push(resource);
  }
  return result.sort((a, b) => (a.collection < b.collection ? -1 : a.collection > b.collection ? 1 : 0));
}

function fromConfig(ops: Operation[], config: ResourceConfig): Resource {
  if (typeof config.collection !== "string" || !config.collection.startsWith("/")) {
    throw new TargetError("RESOURCE_INVALID", `resources: collection ${JSON.stringify(config.collection)} must be a path starting with "/"`);
  }
  const collection = normalizeTemplate(config.collection);
  // Use the document's own spelling of the templates when it lists them.
  const docCollection = ops.find((op) => samePath(op.path, collection))?.path ?? collection;
  let item = config.item !== undefined ? normalizeTemplate(config.item) : undefined;
  if (item === undefined) {
    const candidate = ops.find((op) => {
      const segs = splitPath(op.path);
      return segs.length === splitPath(docCollection).length + 1 && isParam(segs[segs.length - 1]!) && samePath("/" + segs.slice(0, -1).join("/"), docCollection);
    });
    item = candidate?.path ?? `${docCollection.replace(/\/$/, "")}/{${config.idParam ?? "id"}}`;
  } else {
    const itemTemplate = item;
    item = ops.find((op) => samePath(op.path, itemTemplate))?.path ?? itemTemplate;
  }
  const itemSegments = splitPath(item);
  const lastItem = itemSegments[itemSegments.length - 1];
  if (lastItem === undefined || !isParam(lastItem)) {
    throw new TargetError("RESOURCE_INVALID", `resources: item ${JSON.stringify(item)} must end with a path parameter such as {id}`);
  }
  const idParam = config.idParam ?? paramName(lastItem);
  if (!itemSegments.some((s) => isParam(s) && paramName(s) === idParam)) {
    throw new TargetError("RESOURCE_INVALID", `resources: idParam ${JSON.stringify(idParam)} does not appear in item path ${JSON.stringify(item)}`);
  }
  const resource = assemble(ops, { collection: docCollection, item, idParam }, true);
  if (config.idField !== undefined) resource.idField = config.idField;
  if (config.userIdParam !== undefined) {
    if (!splitPath(item).some((s) => isParam(s) && paramName(s) === config.userIdParam)) {
      throw new TargetError("RESOURCE_INVALID", `resources: userIdParam ${JSON.stringify(config.userIdParam)} does not appear in ${JSON.stringify(item)}`);
    }
    resource.userIdParam = config.userIdParam;
    resource.parentParams = collectionParams(docCollection).filter((p) => p !== config.userIdParam);
    if (resource.parentParams.length === 0) delete resource.parentParams;
  }
  if (config.createBody !== undefined) resource.createBody = config.createBody;
  return resource;
}

function assemble(
  ops: Operation[],
  shape: { collection: string; item: string; idParam: string },
  synthesizeMissing = false,
): Resource {
  const on = (path: string, method: HttpMethod) => ops.find((op) => op.method === method && samePath(op.path, path));
  const resource: Resource = { ...shape, idField: "id" };

  const create = on(shape.collection, "POST") ?? (synthesizeMissing ? bareOperation("POST", shape.collection) : undefined);
  const list = on(shape.collection, "GET") ?? (synthesizeMissing ? bareOperation("GET", shape.collection) : undefined);
  const read = on(shape.item, "GET") ?? (synthesizeMissing ? bareOperation("GET", shape.item) : undefined);
  const update = (["PUT", "PATCH"] as const).map((m) => on(shape.item, m)).filter((op): op is Operation => op !== undefined);
  const remove = on(shape.item, "DELETE") ?? (synthesizeMissing ? bareOperation("DELETE", shape.item) : undefined);
  if (create) resource.create = create;
  if (list) resource.list = list;
  if (read) resource.read = read;
  if (update.length > 0) resource.update = update;
  if (remove) resource.remove = remove;

  const itemDepth = splitPath(shape.item).length;
  const under = ops.filter((op) => {
    const segs = splitPath(op.path);
    return segs.length > itemDepth && samePath("/" + segs.slice(0, itemDepth).join("/"), shape.item) && !segs.slice(itemDepth).some(isParam);
  });
  const actions = under.filter((op) => op.method !== "GET" && op.method !== "HEAD" && op.method !== "OPTIONS");
  const views = under.filter((op) => op.method === "GET");
  if (actions.length > 0) resource.actions = actions;
  if (views.length > 0) resource.views = views;

  const userIdParam = findUserIdParam(shape.collection);
  if (userIdParam) resource.userIdParam = userIdParam;
  const parents = collectionParams(shape.collection).filter((p) => p !== userIdParam);
  if (parents.length > 0) resource.parentParams = parents;
  resource.idField = guessIdField(create ?? read, shape.idParam);
  return resource;
}

/**
 * The path parameter that names a user (`/api/{user_id}/tasks`, `/api/users/{id}/notes`): by its name
 * (user_id, userId, uid, owner_id, …), or by following a `users`-like segment. The last segment is not
 * considered (it is an item id).
 */
export function userIdParamOf(path: string): string | undefined {
  return findUserIdParam(path);
}

function findUserIdParam(collection: string): string | undefined {
  const segments = splitPath(collection);
  for (let i = 0; i < segments.length - 1; i++) {
    const segment = segments[i]!;
    if (!isParam(segment)) continue;
    const name = paramName(segment);
    const previous = segments[i - 1];
    if (USER_ID_NAME.test(name) || (previous !== undefined && !isParam(previous) && USER_COLLECTION.test(previous))) return name;
  }
  return undefined;
}

/**
 * The id field of created objects: the first candidate the response schema declares, else, for a wrapped
 * answer (`{"task": {"id": …}}`), the candidate inside its one object member (`task.id`), else `id`.
 */
function guessIdField(op: Operation | undefined, idParam: string): string {
  const schema = op?.responseSchema;
  const candidates = ID_FIELD_CANDIDATES(idParam);
  const direct = candidates.find((c) => propertiesOf(schema).includes(c));
  if (direct) return direct;
  const wrappers = Object.entries(propertyMap(schema)).filter(([, child]) => propertiesOf(child).some((p) => candidates.includes(p)));
  if (wrappers.length === 1) {
    const [name, child] = wrappers[0]!;
    return `${name}.${candidates.find((c) => propertiesOf(child).includes(c))}`;
  }
  return "id";
}

function propertyMap(schema: unknown): Record<string, unknown> {
  const props = (schema as { properties?: unknown } | null | undefined)?.properties;
  return typeof props === "object" && props !== null ? (props as Record<string, unknown>) : {};
}

function propertiesOf(schema: unknown): string[] {
  return Object.keys(propertyMap(schema));
}

/**
 * The id of an object in an answer: at `idField` (a member name, a dotted path `task.id`, or a JSON pointer
 * `/task/id`), else, for a dotted path, at its last member (list items are rarely wrapped like creates are).
 * Integer and string ids both come back as strings.
 * @example idOf({ task: { id: 7 } }, "task.id") // "7"
 */
export function idOf(json: unknown, idField: string): string | undefined {
  const path = idField.startsWith("/") ? idField.slice(1).split("/").map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~")) : idField.split(".");
  const at = (keys: string[]): unknown => keys.reduce<unknown>((node, key) => (node && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined), json);
  for (const value of [at(path), path.length > 1 ? at(path.slice(-1)) : undefined]) {
    if (typeof value === "string" || typeof value === "number") return String(value);
  }
  return undefined;
}

function bareOperation(method: HttpMethod, path: string): Operation {
  return {
    method,
    path,
    declaresSecurity: false,
    isPublic: false,
    pathParams: [...path.matchAll(/\{([^}]+)\}/g)].map((m) => ({ name: m[1]!, schema: { type: "string" } })),
    queryParams: [],
    responses: [],
  };
}

/**
 * Fills a path template: `fillPath("/api/{user_id}/tasks/{task_id}", { user_id: "u 1", task_id: "7" })`
 * → `/api/u%201/tasks/7`. Every value is percent-encoded as one segment (a value of `.` or `..` too,
 * so it cannot climb the path). A missing value throws `PATH_PARAM_MISSING`.
 */
export function fillPath(template: string, values: Record<string, string>): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = Object.hasOwn(values, name) ? values[name] : undefined;
    if (value === undefined || value === null) {
      throw new TargetError("PATH_PARAM_MISSING", `no value for path parameter {${name}} of ${template}`);
    }
    return encodeSegment(String(value));
  });
}

function encodeSegment(value: string): string {
  const encoded = encodeURIComponent(value);
  return /^\.+$/.test(encoded) ? encoded.replace(/\./g, "%2E") : encoded;
}

function splitPath(path: string): string[] {
  return path.split("/").filter((s) => s !== "");
}

function isParam(segment: string): boolean {
  return /^\{[^}]+\}$/.test(segment);
}

function paramName(segment: string): string {
  return segment.slice(1, -1);
}

function collectionParams(collection: string): string[] {
  return splitPath(collection).filter(isParam).map(paramName);
}

/** Accepts `:id` (Express style) as well as `{id}`. */
function normalizeTemplate(path: string): string {
  return path.replace(/\/:([A-Za-z_][\w]*)/g, "/{$1}");
}

function toCamel(name: string): string {
  return name.replace(/[_-]([a-z])/g, (_, c: string) => c.toUpperCase());
}

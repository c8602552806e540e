/**
 * Whether an answer carries another user's data, decided on the parsed JSON, never by substring matching of
 * short values (a task id `3` is in every other answer too): a JSON member that names one of the given users
 * (an owner field, or any string member equal to a user id), or an id member equal to one of the given object
 * ids. Bodies that are not JSON are searched for long markers only (user ids and UUID-like ids).
 */
export interface ForeignData {
  /** Ids of the users whose data must not appear. */
  userIds: string[];
  /** Ids of their objects. */
  objectIds: string[];
}

/** Keys that hold an object's own id. */
const ID_KEY = /^(?:id|_id|uuid|pk|key|[a-z]+[_-]?id)$/i;
/** Keys that name an owner. */
const OWNER_KEY = /^(?:user|owner|author|creator|created_?by|account|member|sub|subject)(?:[_-]?(?:id|uuid))?$/i;
/** Shortest marker a non-JSON body is searched for. */
const MIN_TEXT_MARKER = 16;

/** Where the first piece of foreign data sits in `body` (`tasks[0].id = 3`), or undefined. */
export function foreignDataIn(body: string, foreign: ForeignData): string | undefined {
  const userIds = new Set(foreign.userIds.filter((id) => id !== ""));
  const objectIds = new Set(foreign.objectIds.filter((id) => id !== ""));
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    const marker = [...userIds, ...objectIds].find((m) => m.length >= MIN_TEXT_MARKER && body.includes(m));
    return marker ? `the text contains ${shorten(marker)}` : undefined;
  }
  const stack: Array<{ node: unknown; path: string }> = [{ node: json, path: "" }];
  while (stack.length > 0) {
    const { node, path } = stack.pop()!;
    if (Array.isArray(node)) {
      node.forEach((child, i) => stack.push({ node: child, path: `${path}[${i}]` }));
      continue;
    }
    if (!node || typeof node !== "object") continue;
    for (const [key, value] of Object.entries(node)) {
      const at = path ? `${path}.${key}` : key;
      if (isScalar(value)) {
        const text = String(value);
        if (userIds.has(text) && (OWNER_KEY.test(key) || typeof value === "string")) return `${at} = ${shorten(text)}`;
        if (objectIds.has(text) && ID_KEY.test(key)) return `${at} = ${shorten(text)}`;
      } else stack.push({ node: value, path: at });
    }
  }
  return undefined;
}

function isScalar(value: unknown): value is string | number {
  return typeof value === "string" || typeof value === "number";
}

function shorten(value: string): string {
  return value.length > 16 ? `${value.slice(0, 12)}…` : value;
}

import type { Exchange } from "../../http/types.ts";
import { describeError } from "../../judge/controls.ts";
import { idOf } from "../../target/resources.ts";
import { foreignDataIn, type ForeignData } from "../../judge/leaks.ts";
import type { CheckOutcome } from "../../judge/types.ts";
import type { CheckId } from "../../catalogue/checks.ts";

export type ForeignStatusPolicy = "404" | "403" | "either";
type Endpoint = NonNullable<CheckOutcome["endpoint"]>;
type Labelled = { label: string; exchange: Exchange };

/** Statuses the policy allows for another user's object. */
export function allowedForeignStatuses(policy: ForeignStatusPolicy): number[] {
  return policy === "either" ? [403, 404] : [Number(policy)];
}

export function statusOf(exchange: Exchange): number | undefined {
  return exchange.response?.status;
}

export function isSuccess(exchange: Exchange): boolean {
  const status = statusOf(exchange);
  return status !== undefined && status >= 200 && status < 300;
}



/**
 * A foreign read (isolation.read-foreign, isolation.path-user): refused with a status the policy allows,
 * and none of the owner's data in the body.
 */
export function judgeForeignRead(
  checkId: CheckId,
  endpoint: Endpoint,
  attempt: Labelled,
  ownerControl: Labelled,
  foreign: ForeignData,
  allowed: number[],
): CheckOutcome {
  const base = { checkId, endpoint, exchanges: [attempt, ownerControl] };
  if (!isSuccess(ownerControl.exchange))
    return { ...base, status: "error", reason: `control failed: ${ownerControl.label} got ${statusOf(ownerControl.exchange) ?? describeError(ownerControl.exchange)}` };
  const status = statusOf(attempt.exchange);
  if (status === undefined) return { ...base, status: "error", reason: `no answer: ${describeError(attempt.exchange)}` };
  const leaked = foreignDataIn(attempt.exchange.response?.body ?? "", foreign);
  if (isSuccess(attempt.exchange) || leaked)
    return { ...base, status: "fail", reason: `${attempt.label} got ${status}${leaked ? ` and the body contains the owner's data (${leaked})` : ""}` };
  if (status >= 500) return { ...base, status: "fail", reason: `${attempt.label} got a server error ${status}` };
  if (!allowed.includes(status))
    return { ...base, status: "fail", reason: `${attempt.label} got ${status}; the policy expects ${allowed.join(" or ")}` };
  return { ...base, status: "pass" };
}

/** isolation.list-foreign: the other user's list answers 2xx and names none of the owner's objects. */
export function judgeForeignList(endpoint: Endpoint, listing: Labelled, foreign: ForeignData): CheckOutcome {
  const base = { checkId: "isolation.list-foreign" as const, endpoint, exchanges: [listing] };
  if (!isSuccess(listing.exchange))
    return { ...base, status: "error", reason: `${listing.label} got ${statusOf(listing.exchange) ?? describeError(listing.exchange)}, so the list could not be inspected` };
  const leaked = foreignDataIn(listing.exchange.response?.body ?? "", foreign);
  if (leaked) return { ...base, status: "fail", reason: `the list contains another user's object (${leaked})` };
  return { ...base, status: "pass" };
}

/**
 * isolation.write-foreign: every write by the other user is refused, and the owner's read-back equals
 * the snapshot taken before (a refused write that still changed or deleted the object is a breach).
 */
export function judgeForeignWrite(
  endpoint: Endpoint,
  attempt: Labelled,
  before: Labelled,
  after: Labelled,
  deleting: boolean,
): CheckOutcome {
  const base = { checkId: "isolation.write-foreign" as const, endpoint, exchanges: [attempt, before, after] };
  if (!isSuccess(before.exchange))
    return { ...base, status: "error", reason: `control failed: ${before.label} got ${statusOf(before.exchange) ?? describeError(before.exchange)}` };
  const status = statusOf(attempt.exchange);
  if (status === undefined) return { ...base, status: "error", reason: `no answer: ${describeError(attempt.exchange)}` };
  const afterStatus = statusOf(after.exchange);
  const changed = deleting ? !isSuccess(after.exchange) : after.exchange.response?.body !== before.exchange.response?.body;
  if (isSuccess(attempt.exchange) || changed) {
    const effect = deleting
      ? changed
        ? `the owner's object is gone (owner now gets ${afterStatus})`
        : "though the object still exists"
      : changed
        ? "and the owner's object changed"
        : "though the object looks unchanged";
    return { ...base, status: "fail", reason: `${attempt.label} got ${status} ${effect}` };
  }
  if (status >= 500) return { ...base, status: "fail", reason: `${attempt.label} got a server error ${status}` };
  return { ...base, status: "pass" };
}

/** isolation.enumeration: a foreign id and a nonexistent id get the same status and body shape. */
export function judgeEnumeration(endpoint: Endpoint, foreign: Labelled, missing: Labelled, foreignId: string, missingId: string): CheckOutcome {
  const base = { checkId: "isolation.enumeration" as const, endpoint, exchanges: [foreign, missing] };
  const a = foreign.exchange.response;
  const b = missing.exchange.response;
  if (!a || !b) return { ...base, status: "error", reason: "no answer to one of the two requests" };
  if (a.status !== b.status)
    return { ...base, status: "fail", reason: `another user's object gets ${a.status} while a nonexistent one gets ${b.status}: ids can be enumerated` };
  const shapeA = bodyShape(a.body.replaceAll(foreignId, "<id>"));
  const shapeB = bodyShape(b.body.replaceAll(missingId, "<id>"));
  if (shapeA !== shapeB)
    return { ...base, status: "fail", reason: `same status ${a.status}, but the bodies differ (${shapeA.slice(0, 60)} vs ${shapeB.slice(0, 60)})` };
  return { ...base, status: "pass" };
}

/**
 * isolation.mass-assignment: an object created or updated by B with owner fields naming A must stay B's.
 * Ownership is read from the object's own owner field when it shows one, else from the two users' lists
 * (in A's list and not in B's means it moved) — never from mere readability, which other flaws affect.
 */
export function judgeMassAssignment(
  endpoint: Endpoint,
  attempt: Labelled,
  evidence: { objectOwner?: string; inListOfA?: boolean; inListOfB?: boolean; victimId: string; lists: Labelled[] },
): CheckOutcome {
  const base = { checkId: "isolation.mass-assignment" as const, endpoint, exchanges: [attempt, ...evidence.lists] };
  if (!isSuccess(attempt.exchange))
    return { ...base, status: "pass", notes: [`${attempt.label} was refused with ${statusOf(attempt.exchange) ?? describeError(attempt.exchange)}`] };
  if (evidence.objectOwner !== undefined) {
    if (evidence.objectOwner === evidence.victimId)
      return { ...base, status: "fail", reason: `${attempt.label} was honoured: the object's owner field is now A's id` };
    return { ...base, status: "pass", notes: [`the object's owner field stayed ${evidence.objectOwner}`] };
  }
  if (evidence.inListOfA && !evidence.inListOfB)
    return { ...base, status: "fail", reason: `${attempt.label} was honoured: the object now appears in A's list and not in B's` };
  if (evidence.inListOfA === undefined || evidence.inListOfB === undefined)
    return { ...base, status: "skip", reason: "the object shows no owner field and the lists could not be read, so ownership cannot be told" };
  return { ...base, status: "pass" };
}

/** The id values of the objects in a list answer (a JSON array, or an object wrapping one). */
export function listedIds(exchange: Exchange, idField: string): string[] | undefined {
  if (!isSuccess(exchange)) return undefined;
  let json = exchange.response?.json;
  if (json && !Array.isArray(json) && typeof json === "object")
    json = Object.values(json as Record<string, unknown>).find(Array.isArray);
  if (!Array.isArray(json)) return undefined;
  return json.flatMap((item) => {
    const id = idOf(item, idField);
    return id === undefined ? [] : [id];
  });
}

/** Status plus the JSON structure (keys and value types), or the trimmed text for non-JSON bodies. */
export function bodyShape(body: string): string {
  try {
    return JSON.stringify(shapeOf(JSON.parse(body)));
  } catch {
    return body.trim();
  }
}

function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.length ? [shapeOf(value[0])] : [];
  if (value && typeof value === "object")
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, shapeOf((value as Record<string, unknown>)[key])]));
  return typeof value;
}

function shorten(value: string): string {
  return value.length > 16 ? `${value.slice(0, 12)}…` : value;
}

import type { Exchange } from "../../http/types.ts";
import { headerValues } from "../../http/headers.ts";
import type { CheckOutcome } from "../../judge/types.ts";

type Endpoint = NonNullable<CheckOutcome["endpoint"]>;

/** hygiene.no-store: an authenticated 2xx answer must carry Cache-Control: no-store. */
export function judgeNoStore(endpoint: Endpoint, authenticated: Exchange): CheckOutcome {
  const base = { checkId: "hygiene.no-store" as const, endpoint, exchanges: [{ label: "valid token", exchange: authenticated }] };
  const response = authenticated.response;
  if (!response || response.status < 200 || response.status >= 300)
    return { ...base, status: "skip", reason: "the valid token got no 2xx answer here" };
  const cacheControl = headerValues(response.headers, "cache-control").join(", ");
  if (/\bno-store\b/i.test(cacheControl)) return { ...base, status: "pass" };
  return { ...base, status: "fail", reason: cacheControl ? `Cache-Control is "${cacheControl}", without no-store` : "no Cache-Control header" };
}

"""Session mode (AUTH_MODE=session): the caller is whoever Better Auth's own session says.

The backend takes Better Auth's session credential, either `Authorization: Bearer <token.signature>`
(the bearer() plugin's `set-auth-token`) or the `better-auth.session_token` cookie, and asks Better Auth
who it belongs to: `GET $BETTER_AUTH_URL/api/auth/get-session` with the same header. Better Auth checks
the cookie signature, the expiry and revocation (sign-out deletes the session row); with
`session.cookieCache` it may answer from the signed `session_data` cookie for up to its maxAge.

Cookies ride cross-site requests, so a state-changing request authenticated by the cookie alone must come
from a trusted Origin (CORS_ORIGINS); bearer requests cannot be forged by another site and need no check.

The `if flaws.on(...)` branches are seeded vulnerabilities for authproof's self-tests.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import base64
import json
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import unquote

from fastapi import HTTPException, Request, status

from .db import auth_session
from .flaws import flaws
from .settings import settings

COOKIE_NAMES = ("better-auth.session_token", "__Secure-better-auth.session_token")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
FETCH_TIMEOUT_SECONDS = 5
MAX_SESSION_BYTES = 64 * 1024
# FLAW session-cache: get-session answers kept for five minutes, keyed by the forwarded headers.
CACHE_SECONDS = 300
_cache: dict[tuple[tuple[str, str], ...], tuple[float, str]] = {}


def session_user_id(request: Request, bearer: str | None) -> str | None:
    """The user id of the request's Better Auth session, or None when it names no live session.

    `bearer` is the validated Bearer token, if the request has one. Raises 401 when there is no credential
    at all and 403 for a cookie-authenticated cross-site write.
    """
    cookie = next((request.cookies[n] for n in COOKIE_NAMES if request.cookies.get(n)), None)
    if bearer is not None:
        forward = {"authorization": f"Bearer {bearer}"}
        credential = bearer
    elif cookie is not None:
        if request.method not in SAFE_METHODS and not flaws.on("session-cookie-csrf"):
            origin = request.headers.get("origin")
            if origin is None or origin.rstrip("/") not in settings.cors_origins:
                raise HTTPException(status.HTTP_403_FORBIDDEN, "Cross-site request refused")
        forward = {"cookie": request.headers.get("cookie", "")}
        credential = unquote(cookie)
    else:
        return None
    if flaws.on("session-unsigned-lookup"):
        return _table_lookup(credential, check_signature=False, check_expiry=True)
    if flaws.on("session-expiry-ignored"):
        return _table_lookup(credential, check_signature=True, check_expiry=False)
    key = tuple(sorted(forward.items()))
    if flaws.on("session-cache"):
        hit = _cache.get(key)
        if hit and hit[0] > time.monotonic():
            return hit[1]
    user_id = get_session(forward)
    if flaws.on("session-cache") and user_id:
        _cache[key] = (time.monotonic() + CACHE_SECONDS, user_id)
    return user_id


def get_session(headers: dict[str, str]) -> str | None:
    """GET get-session with the caller's credential header; the user id, or None for no session."""
    url = f"{settings.better_auth_url}/api/auth/get-session"
    request = urllib.request.Request(url, headers={**headers, "accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as response:  # noqa: S310
            body = response.read(MAX_SESSION_BYTES + 1)
    except urllib.error.HTTPError:
        return None
    if len(body) > MAX_SESSION_BYTES:
        return None
    document: Any = json.loads(body or b"null")
    user = document.get("user") if isinstance(document, dict) else None
    user_id = user.get("id") if isinstance(user, dict) else None
    return user_id if isinstance(user_id, str) and user_id else None


def _table_lookup(credential: str, *, check_signature: bool, check_expiry: bool) -> str | None:
    """Reads Better Auth's session table directly (flaws only: each leaves out one of Better Auth's checks)."""
    token, _, signature = credential.partition(".")
    if check_signature and not _signature_valid(token, signature):
        return None
    if not settings.auth_database:
        return None
    row = auth_session(settings.auth_database, token)
    if row is None:
        return None
    user_id, expires_at = row
    if check_expiry and _as_epoch(expires_at) <= time.time():
        return None
    return user_id


def _signature_valid(token: str, signature: str) -> bool:
    """Better Auth's cookie signature: base64(HMAC-SHA256(secret, token))."""
    secret = (settings.shared_secret or "").encode()
    expected = base64.b64encode(hmac.new(secret, token.encode(), hashlib.sha256).digest()).decode()
    return bool(signature) and hmac.compare_digest(expected.rstrip("="), signature.rstrip("="))


def _as_epoch(value: Any) -> float:
    """expiresAt as stored: a datetime (PostgreSQL), epoch ms, or ISO text (SQLite)."""
    if isinstance(value, dt.datetime):
        return value.timestamp() if value.tzinfo else value.replace(tzinfo=dt.timezone.utc).timestamp()
    if isinstance(value, (int, float)):
        return value / 1000 if value > 1e11 else float(value)
    text = str(value).replace("Z", "+00:00")
    parsed = dt.datetime.fromisoformat(text)
    return parsed.timestamp() if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc).timestamp()

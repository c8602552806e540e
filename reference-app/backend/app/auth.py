"""Bearer-JWT verification for FastAPI routes — the file to copy.

Use it as a dependency: `user: User = Depends(current_user)`. It accepts exactly one
`Authorization: Bearer <jwt>` header and verifies the token:

- jwks mode (Better Auth's jwt() plugin): the key comes from `$BETTER_AUTH_URL/api/auth/jwks`
  by `kid`, and the algorithm is pinned to that key's own `alg` (EdDSA by default).
- shared-secret mode: HS256 with BETTER_AUTH_SECRET, nothing else.
- Both: `exp`, `iat` and a non-empty string `sub` are required; `iss` and `aud` must equal the
  configured strings exactly; 30 s leeway; no `crit` extension is understood, so any is rejected;
  `jku`, `x5u` and `jwk` headers are never used.

A missing token gets 401 `Not authenticated` with `WWW-Authenticate: Bearer` (RFC 6750 §3);
every rejected token gets the same 401 `Invalid token` with `error="invalid_token"`, whatever
the reason, so responses reveal nothing about the token or the keys.

The `if flaws.on(...)` branches are seeded vulnerabilities for authproof's self-tests; they are
inert unless REFERENCE_FLAWS names them. Leave them out when you copy this file.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import os
import re
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from fastapi import HTTPException, Request, Security, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .db import auth_user_exists
from .flaws import flaws
from .jwks import JwksCache, fetch_json, parse_jwks
from .session import COOKIE_NAMES, session_user_id
from .settings import settings

LEEWAY_SECONDS = 30
# No token this app issues lives longer; a far-future exp is a forged or broken token.
MAX_LIFETIME_SECONDS = 7 * 24 * 3600
MAX_TOKEN_LENGTH = 16 * 1024
MAX_KID_LENGTH = 256
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
HMAC_HASHES = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}

# Declares `bearer` security on every route that depends on current_user (visible in
# /openapi.json). auto_error=False: we answer missing and invalid tokens ourselves, with 401.
bearer_scheme = HTTPBearer(auto_error=False, description="JWT from Better Auth (GET /api/auth/token)")

jwks_cache = JwksCache(settings.jwks_url, settings.jwks_min_refresh_seconds) if settings.auth_mode == "jwks" else None


@dataclass(frozen=True)
class User:
    """The authenticated caller: `id` is the token's `sub`."""

    id: str
    email: str | None = None
    # The token's `role` claim: only the role-from-claim flaw reads it (see roles.py).
    token_role: str | None = None


class TokenRejected(Exception):
    """Any reason to refuse a token. The reason is for logs only, never for the client."""


def not_authenticated() -> HTTPException:
    """401 for a request without credentials."""
    if flaws.on("missing-403"):
        return HTTPException(status.HTTP_403_FORBIDDEN, "Not authenticated")
    return HTTPException(status.HTTP_401_UNAUTHORIZED, "Not authenticated", headers={"WWW-Authenticate": "Bearer"})


def invalid_token() -> HTTPException:
    """The one 401 every rejected token gets."""
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, "Invalid token", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
    )


def current_user(
    request: Request,
    _declared: HTTPAuthorizationCredentials | None = Security(bearer_scheme),
) -> User:
    """FastAPI dependency: the verified caller, or a 401."""
    if settings.auth_mode == "session":
        return _session_caller(request)
    token = bearer_token(request)
    if flaws.on("magic-token") and token == "dev":
        user = User(id="dev-user")
    else:
        try:
            if flaws.on("json-serialization") and token.startswith("{"):
                user = _json_serialization_user(token)
            else:
                user = verify_token(token)
        except Exception as exc:  # every failure, expected or not, is the same 401
            if flaws.on("error-leak") and isinstance(exc, jwt.DecodeError):
                raise HTTPException(status.HTTP_500_INTERNAL_SERVER_ERROR, traceback.format_exc()) from None
            raise invalid_token() from None
    if flaws.on("identity-header") and request.headers.get("x-user-id"):
        user = User(id=request.headers["x-user-id"], email=user.email, token_role=user.token_role)
    request.state.user_id = user.id
    return user


def _session_caller(request: Request) -> User:
    """Session mode: Better Auth's session (bearer token or session cookie) names the caller."""
    bearer = bearer_token(request) if request.headers.getlist("authorization") else None
    user_id = session_user_id(request, bearer)
    if user_id is None:
        if bearer is None and not any(request.cookies.get(n) for n in COOKIE_NAMES):
            raise not_authenticated()
        raise invalid_token()
    if settings.auth_database and not auth_user_exists(settings.auth_database, user_id):
        raise invalid_token()
    request.state.user_id = user_id
    return User(id=user_id)


def bearer_token(request: Request) -> str:
    """The token of the single `Authorization: Bearer <token>` header."""
    values = request.headers.getlist("authorization")
    if not values:
        if flaws.on("query-token") and request.query_params.get("access_token"):
            return request.query_params["access_token"]
        raise not_authenticated()
    if len(values) > 1:
        raise invalid_token()
    scheme, _, token = values[0].partition(" ")
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_LENGTH:
        raise invalid_token()
    if any(c.isspace() for c in token):  # `Bearer a b`
        raise invalid_token()
    return token


def verify_token(token: str) -> User:
    """Verify signature and claims; raise on any problem."""
    header = jwt.get_unverified_header(token)
    if flaws.on("padded-signature-bypass") and token.endswith("="):
        return _unverified_user(token)
    require_canonical_compact(token)
    alg = header.get("alg")
    kid = header.get("kid")
    if not isinstance(alg, str) or not alg:
        raise TokenRejected("alg missing")
    if kid is not None and (not isinstance(kid, str) or not kid or len(kid) > MAX_KID_LENGTH):
        raise TokenRejected("kid must be a short string")
    if "crit" in header:
        raise TokenRejected("no critical header extension is supported")

    options: dict[str, Any] = {
        "verify_signature": True,
        "verify_exp": True,
        "verify_iat": True,
        "verify_nbf": True,
        "verify_iss": True,
        "verify_aud": True,
        "verify_sub": True,
        "verify_jti": True,
        "strict_aud": True,
        "require": ["exp", "iat", "sub", "iss", "aud"],
    }
    if flaws.on("exp-ignored"):
        options["verify_exp"] = False
    if flaws.on("exp-optional"):
        options["require"].remove("exp")
    if flaws.on("sub-optional"):
        options["require"].remove("sub")
    if flaws.on("iss-aud-ignored"):
        options["verify_iss"] = options["verify_aud"] = False
        options["require"] = [c for c in options["require"] if c not in ("iss", "aud")]

    key, algorithms = signature_key(token, header, alg, kid)
    if key is None:
        options["verify_signature"] = False  # only reachable through the flaw branches
    claims = jwt.decode(
        token,
        key if key is not None else "",
        algorithms=algorithms,
        options=options,  # type: ignore[arg-type]
        issuer=settings.issuer,
        audience=settings.audience,
        leeway=LEEWAY_SECONDS,
    )
    for claim in ("exp", "iat", "nbf"):
        if claim in claims and not _numeric_date(claims[claim]):
            raise TokenRejected(f"{claim} is not a NumericDate")
    if isinstance(claims.get("exp"), (int, float)) and claims["exp"] - time.time() > MAX_LIFETIME_SECONDS:
        raise TokenRejected("exp too far in the future")
    if options["verify_iss"] and not _exact(claims.get("iss"), settings.issuer):
        raise TokenRejected("iss")
    if options["verify_aud"] and not _exact(claims.get("aud"), settings.audience):
        raise TokenRejected("aud")
    email = claims.get("email")
    role = claims.get("role")
    return User(id=subject(claims), email=email if isinstance(email, str) else None, token_role=role if isinstance(role, str) else None)


def signature_key(token: str, header: dict[str, Any], alg: str, kid: str | None) -> tuple[Any, list[str] | None]:
    """The key and the single algorithm the signature must verify with.

    (None, None) means the signature must not be checked by PyJWT: only the flaw branches return it.
    """
    if flaws.on("alg-none") and alg.lower() == "none":
        return None, None
    if flaws.on("no-verify"):
        return None, None
    if flaws.on("embedded-jwk") and isinstance(header.get("jwk"), dict):
        embedded = jwt.PyJWK(header["jwk"])
        return embedded, [embedded.algorithm_name]
    if flaws.on("jku-fetch") and isinstance(header.get("jku"), str):
        fetched = parse_jwks(fetch_json(header["jku"]))
        chosen = fetched.get(kid or "") or next(iter(fetched.values()))
        return chosen, [chosen.algorithm_name]
    if flaws.on("kid-path") and kid and "/" in kid and alg in HMAC_HASHES:
        _legacy_hmac_verify(token, alg, Path(kid).read_bytes())
        return None, None
    if flaws.on("hmac-fallback") and alg == "HS256" and _legacy_hmac_valid(
        token, alg, os.getenv("JWT_SECRET", "secret").encode()
    ):
        return None, None
    if flaws.on("alg-confusion") and jwks_cache is not None and alg in HMAC_HASHES:
        candidates = [jwks_cache.get(kid)] if kid else jwks_cache.all_keys()
        pems = [_spki_pem(k) for k in candidates if k is not None]
        if not any(_legacy_hmac_valid(token, alg, pem) for pem in pems):
            raise TokenRejected("signature")
        return None, None

    if settings.auth_mode == "shared-secret":
        if alg != "HS256":
            raise TokenRejected("alg")
        return settings.shared_secret, ["HS256"]

    assert jwks_cache is not None
    if kid is None:
        raise TokenRejected("kid missing")
    key = jwks_cache.get(kid)
    if key is None:
        raise TokenRejected("unknown kid")
    if alg != key.algorithm_name:
        raise TokenRejected("alg differs from the key's alg")
    return key, [key.algorithm_name]


def subject(claims: dict[str, Any]) -> str:
    """The caller's user id: a non-empty `sub` (that exists in Better Auth's DB, when configured)."""
    sub = claims.get("sub")
    if flaws.on("sub-optional") and not (isinstance(sub, str) and sub):
        return ""
    if not isinstance(sub, str) or not sub.strip():
        raise TokenRejected("sub")
    if settings.auth_database and not auth_user_exists(settings.auth_database, sub):
        raise TokenRejected("unknown user")
    return sub


def require_canonical_compact(token: str) -> None:
    """Three unpadded base64url segments whose unused trailing bits are zero (RFC 7515 §2, §7.1).

    PyJWT alone also accepts `=` padding and non-zero trailing bits, so one signature would
    have several spellings.
    """
    segments = token.split(".")
    if len(segments) != 3:
        raise TokenRejected("not a compact JWS")
    for segment in segments:
        if not _BASE64URL.fullmatch(segment) or len(segment) % 4 == 1:
            raise TokenRejected("not base64url")
        decoded = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        if base64.urlsafe_b64encode(decoded).rstrip(b"=").decode() != segment:
            raise TokenRejected("non-canonical base64url")


def _numeric_date(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _exact(value: Any, expected: str) -> bool:
    return isinstance(value, str) and value == expected


def _spki_pem(key: jwt.PyJWK) -> bytes:
    return key.key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def _unverified_user(token: str) -> User:
    """The claims of a token whose signature was never checked (flaw only)."""
    claims = jwt.decode(token.rstrip("="), options={"verify_signature": False})
    return User(id=subject(claims))


def _json_serialization_user(token: str) -> User:
    """Like python-jwt < 3.3.4 (CVE-2022-39227): the JSON serialization is verified, but the claims are
    read from the text between the token's first two dots (flaw only)."""
    document = json.loads(token)
    verify_token(f"{document['protected']}.{document['payload']}.{document['signature']}")
    segment = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    return User(id=subject(claims))


def _legacy_hmac_valid(token: str, alg: str, secret: bytes) -> bool:
    """HMAC check with any bytes as the key, the way older JWT libraries did it (flaws only)."""
    signing_input, _, signature = token.rpartition(".")
    digest = hmac.new(secret, signing_input.encode(), HMAC_HASHES[alg]).digest()
    expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return hmac.compare_digest(expected, signature)


def _legacy_hmac_verify(token: str, alg: str, secret: bytes) -> None:
    if not _legacy_hmac_valid(token, alg, secret):
        raise TokenRejected("signature")

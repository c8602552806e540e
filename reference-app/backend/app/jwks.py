"""A small JWKS cache: keys by kid, refetched at most once per interval on an unknown kid."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from typing import Any

import jwt

FETCH_TIMEOUT_SECONDS = 3.0
MAX_JWKS_BYTES = 256 * 1024
# Algorithms Better Auth's jwt() plugin can publish. Symmetric (oct) keys never belong in a JWKS.
ASYMMETRIC_ALGORITHMS = frozenset({"EdDSA", "ES256", "ES512", "RS256", "PS256"})


def fetch_json(url: str) -> Any:
    """GET a JSON document with a short timeout and a size cap."""
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as response:  # noqa: S310
        body = response.read(MAX_JWKS_BYTES + 1)
    if len(body) > MAX_JWKS_BYTES:
        raise ValueError("JWKS document too large")
    return json.loads(body)


def parse_jwks(document: Any) -> dict[str, jwt.PyJWK]:
    """Usable asymmetric keys of a JWKS document, by kid. Unusable entries are skipped."""
    keys: dict[str, jwt.PyJWK] = {}
    entries = document.get("keys") if isinstance(document, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("kid"), str):
            continue
        try:
            key = jwt.PyJWK(entry)
        except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, TypeError):
            continue
        if key.algorithm_name in ASYMMETRIC_ALGORITHMS:
            keys[entry["kid"]] = key
    return keys


class JwksCache:
    """Keys of one JWKS URL, cached by kid."""

    def __init__(self, url: str, min_refresh_seconds: float = 10.0) -> None:
        self.url = url
        self.min_refresh_seconds = min_refresh_seconds
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._lock = threading.Lock()

    def get(self, kid: str) -> jwt.PyJWK | None:
        """The key with this kid; an unknown kid triggers at most one refetch per interval."""
        with self._lock:
            if kid not in self._keys and self._may_refresh():
                self._refresh()
            return self._keys.get(kid)

    def all_keys(self) -> list[jwt.PyJWK]:
        """Every cached key (fetching once if nothing was fetched yet)."""
        with self._lock:
            if self._fetched_at is None:
                self._refresh()
            return list(self._keys.values())

    def _may_refresh(self) -> bool:
        return self._fetched_at is None or time.monotonic() - self._fetched_at >= self.min_refresh_seconds

    def _refresh(self) -> None:
        self._fetched_at = time.monotonic()
        try:
            self._keys = parse_jwks(fetch_json(self.url)) or self._keys
        except (OSError, ValueError):
            # Keep the keys we had: an unreachable issuer must not log everybody out at once.
            pass

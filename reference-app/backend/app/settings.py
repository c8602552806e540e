"""Configuration from the environment, read once at start-up.

A bad configuration stops the process with one clear line on stderr and exit code 2,
never with a traceback.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import NoReturn
from urllib.parse import urlsplit

AUTH_MODES = ("jwks", "shared-secret", "session")


@dataclass(frozen=True)
class Settings:
    auth_mode: str
    better_auth_url: str
    jwks_url: str
    jwks_min_refresh_seconds: float
    issuer: str
    audience: str
    shared_secret: str | None
    cors_origins: tuple[str, ...]
    # Tasks: an SQLite file path, or a PostgreSQL URL (DATABASE_URL wins over DATABASE_PATH).
    database: str
    # Better Auth's database, for user and role lookups: an SQLite path or a PostgreSQL URL; None = no lookups.
    auth_database: str | None


def fail(message: str) -> NoReturn:
    """Print one line to stderr and stop the process with exit code 2."""
    print(f"reference-backend: {message}", file=sys.stderr, flush=True)
    raise SystemExit(2)


def origin_of(url: str) -> str:
    """The origin (scheme://host[:port]) of a URL: what Better Auth puts in iss and aud."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        fail(f"BETTER_AUTH_URL must be an http(s) URL, got {url!r}")
    return f"{parts.scheme}://{parts.netloc}"


def load_settings(env: dict[str, str] | os._Environ[str] = os.environ) -> Settings:
    """Read and validate the environment."""
    auth_mode = env.get("AUTH_MODE", "jwks").strip() or "jwks"
    if auth_mode not in AUTH_MODES:
        fail(f"AUTH_MODE must be one of {', '.join(AUTH_MODES)}, got {auth_mode!r}")

    better_auth_url = (env.get("BETTER_AUTH_URL") or "http://localhost:3000").rstrip("/")
    origin = origin_of(better_auth_url)

    shared_secret = env.get("BETTER_AUTH_SECRET") or None
    if auth_mode == "shared-secret" and not shared_secret:
        fail("AUTH_MODE=shared-secret needs BETTER_AUTH_SECRET (the HS256 key shared with the frontend)")

    try:
        jwks_min_refresh_seconds = float(env.get("JWKS_MIN_REFRESH_SECONDS") or 10)
    except ValueError:
        fail("JWKS_MIN_REFRESH_SECONDS must be a number of seconds")

    cors_origins = tuple(
        o.strip().rstrip("/") for o in env.get("CORS_ORIGINS", "http://localhost:3000").split(",") if o.strip()
    )

    database = env.get("DATABASE_URL") or env.get("DATABASE_PATH") or "./tasks.db"
    auth_database = env.get("AUTH_DATABASE_URL") or env.get("AUTH_DATABASE_PATH") or None
    for name in ("DATABASE_URL", "AUTH_DATABASE_URL"):
        value = env.get(name)
        if value and not value.startswith(("postgres://", "postgresql://")):
            fail(f"{name} must be a postgres:// or postgresql:// URL (use {name.replace('URL', 'PATH')} for an SQLite file)")

    return Settings(
        auth_mode=auth_mode,
        better_auth_url=better_auth_url,
        jwks_url=env.get("JWKS_URL") or f"{better_auth_url}/api/auth/jwks",
        jwks_min_refresh_seconds=jwks_min_refresh_seconds,
        issuer=env.get("JWT_ISSUER") or origin,
        audience=env.get("JWT_AUDIENCE") or origin,
        shared_secret=shared_secret,
        cors_origins=cors_origins,
        database=database,
        auth_database=auth_database,
    )


settings = load_settings()

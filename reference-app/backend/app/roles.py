"""Role checks for admin routes — the file to copy next to auth.py.

`Depends(require_admin)` on a router answers 403 to every caller whose role is not `admin`, before the
request body is read. The role is looked up in Better Auth's `user` table (the admin plugin's `role`
column, e.g. "user" or "admin,user") on every request, never taken from the token: a token's `role`
claim is as old as the token (a demoted or banned admin keeps it until `exp`), and anyone who holds the
signing key (in shared-secret mode: every service with BETTER_AUTH_SECRET) could write any role into it.
Without access to Better Auth's database (AUTH_DATABASE_PATH / AUTH_DATABASE_URL unset) nobody is an admin.
"""

from __future__ import annotations

from fastapi import Depends, HTTPException, status

from .auth import User, current_user
from .db import auth_user_role
from .flaws import flaws
from .settings import settings

ADMIN_ROLE = "admin"


def has_admin_role(role: str | None) -> bool:
    """Better Auth stores several roles comma-separated: "admin" anywhere in the list counts."""
    return role is not None and ADMIN_ROLE in (r.strip() for r in role.split(","))


def role_of(user: User) -> str | None:
    """The caller's role, from Better Auth's user table."""
    if flaws.on("role-from-claim"):
        return user.token_role  # FLAW: the token's claim decides
    if not settings.auth_database:
        return None
    return auth_user_role(settings.auth_database, user.id)


def require_admin(user: User = Depends(current_user)) -> User:
    """FastAPI dependency: the caller, if it is an admin; 403 otherwise."""
    if flaws.on("admin-no-role-check"):
        return user  # FLAW: any signed-in user passes
    if not has_admin_role(role_of(user)):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Admin role required")
    return user

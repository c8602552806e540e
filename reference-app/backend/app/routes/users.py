"""The caller's identity, and the per-user task listing."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, status

from ..auth import User, current_user
from ..db import Database, get_db
from ..flaws import flaws
from ..models import Me, Task

router = APIRouter(prefix="/api", tags=["users"])


@router.get("/me", response_model=Me, response_model_exclude_none=True)
def me(user: User = Depends(current_user)) -> Me:
    """Who the token says the caller is."""
    return Me(id=user.id, email=user.email)


@router.get("/users/{user_id}/tasks", response_model=list[Task])
def user_tasks(user_id: str, user: User = Depends(current_user), db: Database = Depends(get_db)) -> list[dict[str, Any]]:
    """Tasks of `user_id` — only when that is the caller; anyone else is 404."""
    if user_id != user.id and not flaws.on("path-user-trust"):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Not Found")
    return db.list_tasks(user_id)

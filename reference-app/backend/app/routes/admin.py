"""Admin routes: every route here depends on require_admin (role looked up server-side, 403 otherwise)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from ..db import Database, get_db
from ..models import Task
from ..roles import require_admin

router = APIRouter(prefix="/api/admin", tags=["admin"], dependencies=[Depends(require_admin)])


@router.get("/tasks", response_model=list[Task])
def all_tasks(db: Database = Depends(get_db)) -> list[dict[str, Any]]:
    """Every user's tasks (admins only)."""
    return db.list_tasks(None)

"""Tasks CRUD. Every query is scoped to the caller: another user's task is 404, like a missing one."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, status

from ..auth import User, current_user
from ..db import Database, get_db
from ..flaws import flaws
from ..models import Task, TaskCreate, TaskPatch, TaskReplace

router = APIRouter(prefix="/api/tasks", tags=["tasks"])


def task_not_found() -> HTTPException:
    """The one answer for a task the caller may not see, whether it exists or not."""
    return HTTPException(status.HTTP_404_NOT_FOUND, "Task not found")


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _owned_task(db: Database, task_id: str, user: User, *, foreign_flaw: str) -> dict[str, Any]:
    """The task if the caller owns it; 404 otherwise."""
    task = db.get_task(task_id)
    if task is None:
        raise task_not_found()
    if task["user_id"] != user.id:
        if flaws.on(foreign_flaw):
            return task
        if flaws.on("foreign-403"):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "Not authorized")
        raise task_not_found()
    return task


def _body_owner(body: TaskCreate | TaskPatch) -> str | None:
    """A user_id sent in the body — only ever honoured by the mass-assignment flaw."""
    if flaws.on("mass-assignment") and isinstance((body.model_extra or {}).get("user_id"), str):
        return body.model_extra["user_id"]  # type: ignore[index]
    return None


if flaws.on("unprotected-route"):

    @router.get("/export", response_model=list[Task])
    def export_tasks(db: Database = Depends(get_db)) -> list[dict[str, Any]]:
        """Every task of every user, no token needed (seeded flaw)."""
        return db.list_tasks(None)


@router.get("", response_model=list[Task])
def list_tasks(user: User = Depends(current_user), db: Database = Depends(get_db)) -> list[dict[str, Any]]:
    """The caller's tasks."""
    return db.list_tasks(None if flaws.on("list-leak") else user.id)


@router.post("", response_model=Task, status_code=status.HTTP_201_CREATED)
def create_task(body: TaskCreate, user: User = Depends(current_user), db: Database = Depends(get_db)) -> dict[str, Any]:
    """Create a task owned by the caller."""
    now = _now()
    task = {
        "id": str(uuid.uuid4()),
        "user_id": _body_owner(body) or user.id,
        "title": body.title,
        "description": body.description,
        "priority": body.priority.value,
        "done": False,
        "due_date": body.due_date,
        "created_at": now,
        "updated_at": now,
    }
    db.insert_task(task)
    return db.get_task(task["id"])  # type: ignore[return-value]


@router.get("/{task_id}", response_model=Task)
def read_task(task_id: str, user: User = Depends(current_user), db: Database = Depends(get_db)) -> dict[str, Any]:
    """One of the caller's tasks."""
    return _owned_task(db, task_id, user, foreign_flaw="foreign-read")


@router.put("/{task_id}", response_model=Task)
def replace_task(
    task_id: str, body: TaskReplace, user: User = Depends(current_user), db: Database = Depends(get_db)
) -> dict[str, Any]:
    """Replace every field of one of the caller's tasks."""
    task = _owned_task(db, task_id, user, foreign_flaw="foreign-write")
    task.update(
        title=body.title,
        description=body.description,
        priority=body.priority.value,
        due_date=body.due_date,
        done=body.done,
        updated_at=_now(),
    )
    task["user_id"] = _body_owner(body) or task["user_id"]
    db.update_task(task)
    return db.get_task(task_id)  # type: ignore[return-value]


@router.patch("/{task_id}", response_model=Task)
def update_task(
    task_id: str, body: TaskPatch, user: User = Depends(current_user), db: Database = Depends(get_db)
) -> dict[str, Any]:
    """Change some fields of one of the caller's tasks."""
    task = _owned_task(db, task_id, user, foreign_flaw="foreign-write")
    changes = body.model_dump(include=set(TaskPatch.model_fields) & body.model_fields_set)
    if "priority" in changes:
        changes["priority"] = body.priority.value  # type: ignore[union-attr]
    task.update(changes, updated_at=_now())
    task["user_id"] = _body_owner(body) or task["user_id"]
    db.update_task(task)
    return db.get_task(task_id)  # type: ignore[return-value]


@router.delete("/{task_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_task(task_id: str, user: User = Depends(current_user), db: Database = Depends(get_db)) -> None:
    """Delete one of the caller's tasks."""
    _owned_task(db, task_id, user, foreign_flaw="foreign-write")
    db.delete_task(task_id)

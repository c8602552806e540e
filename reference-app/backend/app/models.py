"""Request and response bodies. Owner fields in bodies are ignored: the owner is the token's sub."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

Title = Annotated[str, Field(min_length=1, max_length=200)]
Description = Annotated[str, Field(max_length=2000)]


class Priority(str, Enum):
    low = "low"
    medium = "medium"
    high = "high"


class TaskCreate(BaseModel):
    """POST /api/tasks. Unknown fields (user_id, owner_id, userId, …) are dropped."""

    # "allow" only so that the mass-assignment flaw can see what was sent; the secure code never reads extras.
    model_config = ConfigDict(extra="allow")

    title: Title
    description: Description | None = None
    priority: Priority
    due_date: dt.date | None = None


class TaskReplace(TaskCreate):
    """PUT /api/tasks/{task_id}: the full task."""

    done: bool = False


class TaskPatch(BaseModel):
    """PATCH /api/tasks/{task_id}: any subset; title, priority and done cannot be null."""

    model_config = ConfigDict(extra="allow")

    title: Title | None = None
    description: Description | None = None
    priority: Priority | None = None
    due_date: dt.date | None = None
    done: bool | None = None

    @model_validator(mode="after")
    def _not_null(self) -> "TaskPatch":
        for name in ("title", "priority", "done"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class Task(BaseModel):
    id: str
    title: str
    description: str | None
    priority: Priority
    done: bool
    due_date: dt.date | None
    user_id: str
    created_at: str
    updated_at: str


class Me(BaseModel):
    id: str
    email: str | None = None

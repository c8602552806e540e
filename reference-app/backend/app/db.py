"""SQLite storage for tasks (stdlib sqlite3, one short connection per operation)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi import Request

SCHEMA = """
CREATE TABLE IF NOT EXISTS tasks (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL,
    title       TEXT NOT NULL,
    description TEXT,
    priority    TEXT NOT NULL,
    done        INTEGER NOT NULL DEFAULT 0,
    due_date    TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tasks_user_id ON tasks (user_id);
"""

TASK_COLUMNS = ("id", "user_id", "title", "description", "priority", "done", "due_date", "created_at", "updated_at")


class Database:
    """The tasks database at one path."""

    def __init__(self, path: str) -> None:
        self.path = path

    def create_schema(self) -> None:
        """Create the tables if they do not exist yet."""
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        with self.connect() as conn:
            conn.executescript(SCHEMA)

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection that commits on success and is always closed."""
        conn = sqlite3.connect(self.path, timeout=10)
        conn.row_factory = sqlite3.Row
        try:
            with conn:
                yield conn
        finally:
            conn.close()

    def list_tasks(self, user_id: str | None) -> list[dict[str, Any]]:
        """Tasks of one user, or of everybody when user_id is None."""
        with self.connect() as conn:
            if user_id is None:
                rows = conn.execute("SELECT * FROM tasks ORDER BY created_at, id").fetchall()
            else:
                rows = conn.execute(
                    "SELECT * FROM tasks WHERE user_id = ? ORDER BY created_at, id", (user_id,)
                ).fetchall()
        return [_row_to_task(r) for r in rows]

    def get_task(self, task_id: str) -> dict[str, Any] | None:
        """One task by id, whoever owns it (callers check ownership)."""
        with self.connect() as conn:
            row = conn.execute("SELECT * FROM tasks WHERE id = ?", (task_id,)).fetchone()
        return _row_to_task(row) if row else None

    def insert_task(self, task: dict[str, Any]) -> None:
        """Store a new task (all TASK_COLUMNS present)."""
        with self.connect() as conn:
            conn.execute(
                f"INSERT INTO tasks ({', '.join(TASK_COLUMNS)}) VALUES ({', '.join('?' * len(TASK_COLUMNS))})",
                tuple(_to_sql(task[c]) for c in TASK_COLUMNS),
            )

    def update_task(self, task: dict[str, Any]) -> None:
        """Overwrite every column of an existing task."""
        columns = [c for c in TASK_COLUMNS if c != "id"]
        with self.connect() as conn:
            conn.execute(
                f"UPDATE tasks SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?",
                (*(_to_sql(task[c]) for c in columns), task["id"]),
            )

    def delete_all_tasks(self) -> int:
        """Deletes every task of every user (only the bulk-delete flaw calls it)."""
        with self.connect() as conn:
            return conn.execute("DELETE FROM tasks").rowcount

    def delete_task(self, task_id: str) -> None:
        """Remove a task."""
        with self.connect() as conn:
            conn.execute("DELETE FROM tasks WHERE id = ?", (task_id,))


def auth_user_exists(auth_database_path: str, user_id: str) -> bool:
    """Whether Better Auth's database has a user with this id (read-only; any error → False)."""
    uri = f"{Path(auth_database_path).resolve().as_uri()}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=5)
        try:
            row = conn.execute('SELECT 1 FROM "user" WHERE id = ?', (user_id,)).fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return row is not None


def auth_user_role(auth_database_path: str, user_id: str) -> str | None:
    """The user's `role` in Better Auth's database (the admin plugin's column); None when unknown or on any error."""
    uri = f"{Path(auth_database_path).resolve().as_uri()}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=5)
        try:
            row = conn.execute('SELECT role FROM "user" WHERE id = ?', (user_id,)).fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return row[0] if row and isinstance(row[0], str) else None


def _to_sql(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _row_to_task(row: sqlite3.Row) -> dict[str, Any]:
    task = dict(row)
    task["done"] = bool(task["done"])
    return task


def get_db(request: Request) -> Database:
    """FastAPI dependency: the database created by the app factory."""
    return request.app.state.db

"""Storage for tasks: SQLite (stdlib sqlite3) by default, PostgreSQL (psycopg) with a postgres:// URL.

Also the read-only lookups in Better Auth's own database (its `user` table): does a user exist, what is its role.
"""

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


def is_postgres_url(value: str) -> bool:
    """A PostgreSQL connection URL (postgres:// or postgresql://), as opposed to an SQLite file path."""
    return value.startswith(("postgres://", "postgresql://"))


@contextmanager
def _postgres(url: str) -> Iterator[Any]:
    """A psycopg connection that returns dict rows, commits on success and is always closed."""
    import psycopg  # only needed with a PostgreSQL URL
    from psycopg.rows import dict_row

    with psycopg.connect(url, row_factory=dict_row, connect_timeout=10) as conn:
        yield conn


class Database:
    """The tasks database: an SQLite file (default) or PostgreSQL (a postgres:// URL). One short connection per operation."""

    def __init__(self, location: str) -> None:
        self.location = location
        self.postgres = is_postgres_url(location)

    def create_schema(self) -> None:
        """Create the tables if they do not exist yet."""
        if not self.postgres:
            Path(self.location).parent.mkdir(parents=True, exist_ok=True)
        for statement in filter(str.strip, SCHEMA.split(";")):
            self._run(statement, ())

    @contextmanager
    def _connect(self) -> Iterator[Any]:
        if self.postgres:
            with _postgres(self.location) as conn:
                yield conn
            return
        conn = sqlite3.connect(self.location, timeout=10)
        conn.row_factory = sqlite3.Row
        try:
            with conn:
                yield conn
        finally:
            conn.close()

    def _run(self, sql: str, params: tuple[Any, ...]) -> Any:
        """Run one statement and return its cursor's rows (dicts) and rowcount, read before the connection closes."""
        with self._connect() as conn:
            cursor = conn.execute(sql.replace("?", "%s") if self.postgres else sql, params)
            rows = [dict(r) for r in cursor.fetchall()] if cursor.description else []
            return rows, cursor.rowcount

    def list_tasks(self, user_id: str | None) -> list[dict[str, Any]]:
        """Tasks of one user, or of everybody when user_id is None."""
        if user_id is None:
            rows, _ = self._run("SELECT * FROM tasks ORDER BY created_at, id", ())
        else:
            rows, _ = self._run("SELECT * FROM tasks WHERE user_id = ? ORDER BY created_at, id", (user_id,))
        return [_row_to_task(r) for r in rows]

    def get_task(self, task_id: str) -> dict[str, Any] | None:
        """One task by id, whoever owns it (callers check ownership)."""
        rows, _ = self._run("SELECT * FROM tasks WHERE id = ?", (task_id,))
        return _row_to_task(rows[0]) if rows else None

    def insert_task(self, task: dict[str, Any]) -> None:
        """Store a new task (all TASK_COLUMNS present)."""
        self._run(
            f"INSERT INTO tasks ({', '.join(TASK_COLUMNS)}) VALUES ({', '.join('?' * len(TASK_COLUMNS))})",
            tuple(_to_sql(task[c]) for c in TASK_COLUMNS),
        )

    def update_task(self, task: dict[str, Any]) -> None:
        """Overwrite every column of an existing task."""
        columns = [c for c in TASK_COLUMNS if c != "id"]
        self._run(
            f"UPDATE tasks SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?",
            (*(_to_sql(task[c]) for c in columns), task["id"]),
        )

    def delete_all_tasks(self) -> int:
        """Deletes every task of every user (only the bulk-delete flaw calls it)."""
        _, count = self._run("DELETE FROM tasks", ())
        return count

    def delete_task(self, task_id: str) -> None:
        """Remove a task."""
        self._run("DELETE FROM tasks WHERE id = ?", (task_id,))


def _auth_row(auth_database: str, sql: str, user_id: str) -> tuple[Any, ...] | None:
    """One row of Better Auth's database (an SQLite file, opened read-only, or a PostgreSQL URL); any error → None."""
    if is_postgres_url(auth_database):
        try:
            with _postgres(auth_database) as conn:
                row = conn.execute(sql.replace("?", "%s"), (user_id,)).fetchone()
        except Exception:  # psycopg.Error, or a missing table: the user is unknown
            return None
        return tuple(row.values()) if row else None
    uri = f"{Path(auth_database).resolve().as_uri()}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=5)
        try:
            return conn.execute(sql, (user_id,)).fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None


def auth_user_exists(auth_database: str, user_id: str) -> bool:
    """Whether Better Auth's database has a user with this id (read-only; any error → False)."""
    return _auth_row(auth_database, 'SELECT 1 FROM "user" WHERE id = ?', user_id) is not None


def auth_user_role(auth_database: str, user_id: str) -> str | None:
    """The user's `role` in Better Auth's database (the admin plugin's column); None when unknown or on any error."""
    row = _auth_row(auth_database, 'SELECT role FROM "user" WHERE id = ?', user_id)
    return row[0] if row and isinstance(row[0], str) else None


def _to_sql(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _row_to_task(row: dict[str, Any]) -> dict[str, Any]:
    task = dict(row)
    task["done"] = bool(task["done"])
    return task


def get_db(request: Request) -> Database:
    """FastAPI dependency: the database created by the app factory."""
    return request.app.state.db


def auth_session(auth_database: str, token: str) -> tuple[str, Any] | None:
    """(user id, expiresAt) of the Better Auth session with this token (read-only; any error → None)."""
    row = _auth_row(auth_database, 'SELECT "userId", "expiresAt" FROM "session" WHERE token = ?', token)
    return (str(row[0]), row[1]) if row else None

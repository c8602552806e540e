"""App factory: CORS, no-store on API responses, routers, the tasks schema."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .db import Database
from .flaws import flaws
from .routes import admin, tasks, users
from .settings import Settings, settings


class NoStoreMiddleware:
    """Adds `Cache-Control: no-store` to every /api response: they carry per-user data."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return

        async def send_with_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
                message["headers"] = [*headers, (b"cache-control", b"no-store")]
            await send(message)

        await self.app(scope, receive, send_with_no_store)


def create_app(config: Settings = settings) -> FastAPI:
    """Build the FastAPI application."""
    app = FastAPI(title="authproof reference backend", version="1.0.0")
    app.state.db = Database(config.database)
    app.state.db.create_schema()

    if not flaws.on("cacheable"):
        app.add_middleware(NoStoreMiddleware)
    if flaws.on("cors-reflect"):
        app.add_middleware(
            CORSMiddleware, allow_origin_regex=".*", allow_credentials=True, allow_methods=["*"], allow_headers=["*"]
        )
    else:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(config.cors_origins),
            allow_credentials=True,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )

    @app.get("/health", tags=["health"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    if flaws.on("bulk-delete"):

        @app.delete("/api/admin/clear-all", tags=["admin"])
        def clear_all() -> dict[str, int]:
            """Wipes every user's tasks, without any token (a seeded flaw)."""
            return {"deleted": app.state.db.delete_all_tasks()}

    app.include_router(users.router)
    app.include_router(tasks.router)
    app.include_router(admin.router)
    return app


app = create_app()

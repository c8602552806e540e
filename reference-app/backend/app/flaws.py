"""Seeded vulnerabilities, switched on by REFERENCE_FLAWS=a,b (see ../flaws.json and README.md).

With REFERENCE_FLAWS empty or unset every branch guarded by `flaws.on(...)` is inert and the
backend is the secure reference. If you copy this backend, delete this module and every
`if flaws.on(...)` branch: none of them belongs in real code.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .settings import fail

DEFAULT_REGISTRY = Path(__file__).resolve().parents[2] / "flaws.json"


class Flaws:
    """The set of flaws switched on for this process."""

    def __init__(self, enabled: frozenset[str], backend_names: frozenset[str]) -> None:
        self.enabled = enabled
        self._backend_names = backend_names

    def on(self, name: str) -> bool:
        """True when the backend flaw `name` is switched on."""
        if self._backend_names and name not in self._backend_names:
            raise ValueError(f"{name!r} is not a backend flaw of the registry")
        return name in self.enabled


def _read_registry(path: Path) -> dict[str, str]:
    """Flaw name → side, from the registry file."""
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))["flaws"]
        return {str(e["name"]): str(e["side"]) for e in entries}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        fail(f"cannot read the flaw registry {path}: {exc.__class__.__name__}")


def load_flaws(env: dict[str, str] | os._Environ[str] = os.environ) -> Flaws:
    """Parse REFERENCE_FLAWS and check every name against the registry."""
    requested = [n.strip() for n in env.get("REFERENCE_FLAWS", "").split(",") if n.strip()]
    registry_path = Path(env.get("FLAWS_REGISTRY") or DEFAULT_REGISTRY)
    if not requested and not registry_path.exists():
        # A copy of the backend without the registry: nothing to switch on.
        return Flaws(frozenset(), frozenset())
    registry = _read_registry(registry_path)
    unknown = [n for n in requested if n not in registry]
    if unknown:
        fail(
            f"unknown flaw(s) in REFERENCE_FLAWS: {', '.join(unknown)} "
            f"(known: {', '.join(sorted(registry))})"
        )
    backend_names = frozenset(n for n, side in registry.items() if side == "backend")
    # Frontend and launcher flaws are known names, handled by the other processes.
    return Flaws(frozenset(n for n in requested if n in backend_names), backend_names)


flaws = load_flaws()

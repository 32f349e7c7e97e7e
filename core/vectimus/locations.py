"""Where Vectimus keeps things: the user's ``~/.vectimus`` and a project's ``.vectimus``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from vectimus.layout import PROJECT_DIR, vectimus_home


def user_home(env: Mapping[str, str] | None = None) -> Path:
    """The user's Vectimus directory: ``$VECTIMUS_HOME``, else ``~/.vectimus``."""
    return Path(vectimus_home(env))


def user_config(env: Mapping[str, str] | None = None) -> Path:
    """The user's config file."""
    return user_home(env) / "config.toml"


def project_config(project: Path) -> Path:
    """A project's config file."""
    return Path(project) / PROJECT_DIR / "config.toml"

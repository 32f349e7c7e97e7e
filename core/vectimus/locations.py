"""Where Vectimus keeps things: the user's ``~/.vectimus`` and a project's ``.vectimus``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from vectimus.layout import PROJECT_DIR


def user_home(env: Mapping[str, str] | None = None) -> Path:
    """The user's Vectimus directory: ``$VECTIMUS_HOME``, else ``~/.vectimus``."""
    found = os.environ if env is None else env
    if found.get("VECTIMUS_HOME"):
        return Path(found["VECTIMUS_HOME"])
    home = found.get("HOME")
    return (Path(home) if home else Path.home()) / ".vectimus"


def user_config(env: Mapping[str, str] | None = None) -> Path:
    """The user's config file."""
    return user_home(env) / "config.toml"


def project_config(project: Path) -> Path:
    """A project's config file."""
    return Path(project) / PROJECT_DIR / "config.toml"

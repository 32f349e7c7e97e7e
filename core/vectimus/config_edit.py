"""Edit config files with tomlkit, keeping the user's comments and layout (CLI only)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import tomlkit
from tomlkit.items import Table

from vectimus import atomic
from vectimus.config import ConfigError, config_digest
from vectimus.locations import project_config, user_config


def edit_toml(path: Path, mutate: Callable[[tomlkit.TOMLDocument], None]) -> None:
    """Load ``path`` (or an empty document), apply ``mutate``, write it back atomically."""
    try:
        doc = tomlkit.parse(path.read_text(encoding="utf-8")) if path.exists() else tomlkit.document()
    except (tomlkit.exceptions.ParseError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot edit {path}: it is not valid TOML ({exc})") from None
    mutate(doc)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic.write(path, tomlkit.dumps(doc))


def table(doc, *keys: str) -> Table:
    """The (possibly nested) table at ``keys``, created when missing."""
    node = doc
    for key in keys:
        if key not in node:
            node[key] = tomlkit.table()
        node = node[key]
    return node


def trust_project(project: Path) -> None:
    """Record in the user's config that the user trusts the project's current config."""
    digest = config_digest(project_config(project))
    key = str(Path(project).resolve())

    def mutate(doc):
        projects = table(doc, "trust", "projects")
        projects[key] = digest

    edit_toml(user_config(), mutate)


def untrust_project(project: Path) -> None:
    """Forget the user's trust in a project."""
    path = user_config()
    if not path.exists():
        return
    key = str(Path(project).resolve())

    def mutate(doc):
        projects = doc.get("trust", {}).get("projects")
        if projects is not None and key in projects:
            del projects[key]

    edit_toml(path, mutate)


def is_trusted(project: Path) -> bool:
    """Whether the user's config trusts the project's config as it is now (or it has none)."""
    import tomllib

    path = project_config(project)
    if not path.exists():
        return True
    try:
        user = tomllib.loads(user_config().read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return False
    trusted = user.get("trust", {}).get("projects", {}).get(str(Path(project).resolve()))
    return trusted == config_digest(path)


def edit_project_config(project: Path, mutate: Callable[[tomlkit.TOMLDocument], None]) -> None:
    """Edit the project's config on the user's behalf; a trusted config stays trusted."""
    trusted = is_trusted(project)
    edit_toml(project_config(project), mutate)
    if trusted:
        trust_project(project)

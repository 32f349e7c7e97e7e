"""What most commands start from: the project, its resolved configuration and policies, and the
options that choose them."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import typer


PROJECT_OPT = typer.Option(None, "--project", metavar="DIR", help="Project directory (default: the one around the current directory).")
JSON_OPT = typer.Option(False, "--json", help="Print as JSON.")
DURATION = re.compile(r"(\d+)([smhd])")
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str, option: str) -> timedelta:
    """``30m``, ``2h``, ``1d``, ``1h30m`` as a timedelta (``typer.BadParameter`` naming ``option`` otherwise)."""
    text = text.strip().lower()
    if not text or DURATION.sub("", text):
        raise typer.BadParameter(f"{text!r} is not a duration such as 30m, 2h, 1d or 1h30m", param_hint=option)
    seconds = sum(int(n) * UNITS[unit] for n, unit in DURATION.findall(text))
    if seconds <= 0:
        raise typer.BadParameter("the duration must be longer than zero", param_hint=option)
    return timedelta(seconds=seconds)


def project_root(project: Path | None) -> Path:
    """The project a command acts on: the one around ``--project``, else around the cwd (the nearest
    directory above with ``.git`` or ``.vectimus``, as the hook finds it)."""
    from vectimus.install import project_root as top_level

    return top_level(project or Path.cwd())


def resolved(root: Path):
    """``(config, policy set)`` as the hook resolves them for ``root``; a clear error otherwise."""
    from vectimus.config import load_config
    from vectimus.policies import load_policy_set

    config = load_config(root)
    return config, load_policy_set(root, config)


def all_packs(root: Path):
    """Every pack every source offers here, enabled or not."""
    from vectimus.plugins import pack_sources
    from vectimus.policies import active_packs

    return active_packs([p for source in pack_sources() for p in source.packs(root)])


def known_policies(root: Path) -> dict:
    """Every policy any pack here defines, by id (its pack enabled or not)."""
    from vectimus.policies import PolicyError, build_policy_set

    try:
        return build_policy_set(all_packs(root)).policies
    except PolicyError:  # packs that cannot be loaded together: those that are active
        return resolved(root)[1].policies

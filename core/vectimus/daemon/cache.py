"""The daemon's Evaluation cache: one per project and environment, rebuilt when a file it read changes.

An entry is keyed by the project, the user's Vectimus home, the configuration the environment
contributes (``VECTIMUS_MODE``, ``CI`` …, exactly as ``config`` reads it) and the plugin selection.
It is valid while none of the files it was built from changed: the user's and the project's
config files, the schema, every pack source directory (a pack added or removed), every enabled
pack's directory and files, and the ``site-packages`` directories (a plugin installed or removed).
Changes are seen by comparing ``stat`` results (mtime, ctime, size, inode): cheap enough to do
on every request.
"""

from __future__ import annotations

import json
import sys
from collections import OrderedDict
from pathlib import Path

from vectimus.config import _env_layer
from vectimus.hook.evaluate import Evaluation
from vectimus.locations import project_config, user_config, user_home
from vectimus.policies import schema_path
from vectimus.receipts.files import signature

MAX_ENTRIES = 32

Stamp = tuple


def cache_key(project: str, env: dict[str, str]) -> tuple:
    """What, besides files, an Evaluation for ``project`` depends on."""
    return (project, str(user_home(env)), json.dumps(_env_layer(env), sort_keys=True),
            env.get("VECTIMUS_LOAD_PLUGINS"))


def watched_paths(evaluation: Evaluation, env: dict[str, str]) -> list[str]:
    """Every file and directory whose change must rebuild ``evaluation``."""
    from vectimus.plugins import pack_sources

    project = Path(evaluation.project)
    paths: list[Path | str] = [user_config(env), project_config(project), schema_path()]
    for source in pack_sources():
        paths.extend(source.watch_paths(project))
    for pack in evaluation.policy_set.packs:
        paths.extend((pack.path, pack.path / "pack.toml", *pack.policy_files()))
    paths.extend(p for p in sys.path if p.endswith("site-packages"))
    return [str(p) for p in paths if p is not None]


def stamp(paths: list[str]) -> Stamp:
    """The stat results of ``paths`` (None for a missing one)."""
    return tuple(signature(p) for p in paths)


class EvaluationCache:
    """Evaluations by project and environment, least recently used dropped first."""

    def __init__(self, size: int = MAX_ENTRIES):
        self.size = size
        self.entries: OrderedDict[tuple, tuple[list[str], Stamp, Evaluation]] = OrderedDict()
        self.builds = 0

    def get(self, project: str, env: dict[str, str]) -> Evaluation:
        """A valid Evaluation for ``project`` under ``env``, built anew when its files changed."""
        key = cache_key(project, env)
        entry = self.entries.get(key)
        before = stamp(entry[0]) if entry is not None else None
        if entry is not None and before == entry[1]:
            self.entries.move_to_end(key)
            return entry[2]
        self.entries.pop(key, None)
        evaluation = Evaluation(project, env)
        self.builds += 1
        paths = watched_paths(evaluation, env)
        # Stat taken before the build when the same files are watched: a change made while
        # building is then seen by the next request.
        now = before if before is not None and entry is not None and paths == entry[0] else stamp(paths)
        self.entries[key] = (paths, now, evaluation)
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)
        return evaluation

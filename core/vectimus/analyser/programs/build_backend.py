"""A Python project's in-tree build backend: ``[build-system]`` with ``backend-path`` makes pip,
``python -m build`` and tox import the backend module from the project's own directories, so its
code runs as the project is built (``build-backend = "backend"``, ``backend-path = ["."]``).
Standard library only (tomllib, imported when a local project is built).
"""

from __future__ import annotations

import os

from vectimus.analyser import runs
from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus import world


def in_tree(an: Analysis, cmd: Cmd, folder: str) -> None:
    """The backend module of the project in ``folder`` when ``backend-path`` puts it in the tree: its
    file runs; a pyproject.toml that cannot be read is recorded as such when it names a backend path."""
    path = f"{folder}/pyproject.toml"
    text, _ = runs.read(an, path)
    if not text or "backend-path" not in text:
        return
    import tomllib

    try:
        system = tomllib.loads(text.removeprefix("\ufeff")).get("build-system") or {}
    except (tomllib.TOMLDecodeError, RecursionError):
        runs.unread(an, cmd, path, runs.display(an, path), runs.by_agent(an, path), "a pyproject.toml that is not TOML")
        return
    backend, dirs = system.get("build-backend"), system.get("backend-path")
    if not isinstance(backend, str) or not isinstance(dirs, list):
        return
    module = backend.partition(":")[0].strip().replace(".", "/")
    for folder_name in (d for d in dirs if isinstance(d, str)):
        base = os.path.normpath(os.path.join(folder, folder_name))
        for candidate in (f"{base}/{module}.py", f"{base}/{module}/__init__.py"):
            if candidate in an.pending or world.isfile(candidate):
                runs.run_file(an, cmd, Word(candidate), runner="python",
                              label=f"{runs.display(an, path)} build-backend {backend}")
                return

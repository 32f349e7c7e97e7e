"""The code a Python project's build backend runs from the project itself, besides ``setup.py``:

- an in-tree backend: ``[build-system]`` with ``backend-path`` makes pip, ``python -m build`` and
  tox import the backend module from the project's own directories (``build-backend = "backend"``,
  ``backend-path = ["."]``);
- hatchling's custom build and metadata hooks: ``[tool.hatch.build.hooks.custom]``,
  ``[tool.hatch.build.targets.NAME.hooks.custom]`` and ``[tool.hatch.metadata.hooks.custom]`` (the
  same tables in ``hatch.toml`` without ``tool.hatch``), each at its ``path``, ``hatch_build.py``
  when it names none;
- poetry-core's build script (``[tool.poetry] build = "build.py"``, ``[tool.poetry.build] script``);
- pdm-backend's build hook (``pdm_build.py``, or ``[tool.pdm.build] custom-hook``);
- setuptools' command classes from the project's modules (``[tool.setuptools.cmdclass]``).

Standard library only (``vectimus.toml_cache``, when a local project is built).
"""

from __future__ import annotations

import os

from vectimus.analyser import runs
from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus import world

HATCH_DEFAULT = "hatch_build.py"
PDM_DEFAULT = "pdm_build.py"


def in_tree(an: Analysis, cmd: Cmd, folder: str) -> None:
    """The code the backend of the project in ``folder`` runs from the project: an in-tree backend
    module, a hatch, poetry or pdm build hook, a setuptools command class; a pyproject.toml that
    cannot be read is recorded as such."""
    project = _table(an, cmd, f"{folder}/pyproject.toml")
    system = _dict(project, "build-system")
    backend, dirs = system.get("build-backend"), system.get("backend-path")
    if isinstance(backend, str) and isinstance(dirs, list):
        _backend_module(an, cmd, folder, backend, dirs)
    tool = _dict(project, "tool")
    hatch = _dict(tool, "hatch") or _table(an, cmd, f"{folder}/hatch.toml")
    for path in sorted({*_hatch_hooks(hatch), *_poetry_script(tool), *_pdm_hook(tool, backend),
                        *_cmdclass_modules(folder, tool)}):
        if ".." not in path.split("/") and os.path.normpath(path) != HATCH_DEFAULT:  # (that one always runs)
            runs.run_file(an, cmd, Word(os.path.normpath(os.path.join(folder, path))), runner="python",
                          label=f"{runs.display(an, folder + '/' + path)} (build hook)")


def _table(an: Analysis, cmd: Cmd, path: str) -> dict:
    text, _ = runs.read(an, path)
    if not text:
        return {}
    from vectimus import toml_cache

    try:
        parsed = toml_cache.loads(text.removeprefix("\ufeff"))
    except (toml_cache.TomlError, RecursionError):
        runs.unread(an, cmd, path, runs.display(an, path), runs.by_agent(an, path), "a TOML file that is not TOML")
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _dict(table, *keys) -> dict:
    for key in keys:
        table = table.get(key) if isinstance(table, dict) else None
    return table if isinstance(table, dict) else {}


def _hook_path(hook) -> list[str]:
    path = hook.get("path", HATCH_DEFAULT) if isinstance(hook, dict) else None
    return [path] if isinstance(path, str) and path else []


def _hatch_hooks(hatch: dict) -> list[str]:
    """The files of hatch's custom hooks: the build's, each target's and the metadata's."""
    paths = _hook_path(_dict(hatch, "build", "hooks").get("custom"))
    paths += _hook_path(_dict(hatch, "metadata", "hooks").get("custom"))
    for target in _dict(hatch, "build", "targets").values():
        paths += _hook_path(_dict(target, "hooks").get("custom"))
    return paths


def _poetry_script(tool: dict) -> list[str]:
    build = _dict(tool, "poetry").get("build")
    script = build.get("script") if isinstance(build, dict) else build
    return [script] if isinstance(script, str) and script else []


def _pdm_hook(tool: dict, backend) -> list[str]:
    hook = _dict(tool, "pdm", "build").get("custom-hook")
    if isinstance(hook, str) and hook:
        return [hook]
    return [PDM_DEFAULT] if isinstance(backend, str) and backend.startswith("pdm.backend") else []


def _cmdclass_modules(folder: str, tool: dict) -> list[str]:
    """``[tool.setuptools.cmdclass] build_py = "tools.build.BuildPy"``: the module, where the project has it."""
    found = []
    for value in _dict(tool, "setuptools", "cmdclass").values():
        if not isinstance(value, str) or "." not in value:
            continue
        module = value.rpartition(".")[0].replace(".", "/")
        for base in ("", "src/"):
            for candidate in (f"{base}{module}.py", f"{base}{module}/__init__.py"):
                if world.isfile(f"{folder}/{candidate}"):
                    found.append(candidate)
    return found


def _backend_module(an: Analysis, cmd: Cmd, folder: str, backend: str, dirs: list) -> None:
    module = backend.partition(":")[0].strip().replace(".", "/")
    for folder_name in (d for d in dirs if isinstance(d, str)):
        base = os.path.normpath(os.path.join(folder, folder_name))
        for candidate in (f"{base}/{module}.py", f"{base}/{module}/__init__.py"):
            if candidate in an.pending or world.isfile(candidate):
                runs.run_file(an, cmd, Word(candidate), runner="python",
                              label=f"{runs.display(an, folder + '/pyproject.toml')} build-backend {backend}")
                return

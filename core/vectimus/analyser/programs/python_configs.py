"""The Python project files whose settings run code later, judged when written: a ``pyproject.toml``'s
scripts and tasks (pdm, hatch, Poe the Poet), a ``Pipfile``'s and ``hatch.toml``'s scripts
(``programs.python_scripts``), tox's environments in ``tox.ini``, ``tox.toml``, ``setup.cfg`` or a
``pyproject.toml`` (``programs.tox``), and pylint's ``init-hook`` and plugins in a ``pyproject.toml``,
``setup.cfg`` or ``tox.ini`` (``programs.pylint``); one file may hold several.
Standard library only: imported when such a file is written.
"""

from __future__ import annotations

import posixpath

from vectimus.analyser.context import Analysis, Cmd

def kinds(name: str, text: str) -> list[str]:
    """What runs code from the file (lower-case ``name``) holding ``text``: scripts, tox, pylint."""
    found = []
    if name in ("pipfile", "hatch.toml") or (name == "pyproject.toml" and (
            "scripts" in text and ("[tool.pdm" in text or "[tool.hatch" in text) or "[tool.poe" in text)):
        found.append("scripts")
    if name in ("tox.ini", "tox.toml") or (name == "setup.cfg" and "[tox:tox]" in text) \
            or (name == "pyproject.toml" and "[tool.tox" in text):
        found.append("tox")
    if name in ("pyproject.toml", "setup.cfg", "tox.ini") and "pylint" in text:
        found.append("pylint")
    return found


def deferred(an: Analysis, cmd: Cmd, path: str, text: str, label: str) -> None:
    """Each tool's code in the file at ``path`` being written (``label`` names it)."""
    from vectimus.analyser.programs import pylint, python_scripts, tox

    base = posixpath.basename(path)
    for kind in kinds(base.lower(), text):
        if kind == "scripts":
            python_scripts.deferred(an, cmd, path, text)
        elif kind == "tox":
            tox.deferred(an, cmd, base, text, label, path)
        else:
            pylint.deferred(an, cmd, path, text)

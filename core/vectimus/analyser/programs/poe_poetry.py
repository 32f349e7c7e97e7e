"""Poe the Poet run through poetry's plugin (``poetry self add 'poethepoet[poetry_plugin]'``) and as
a module: ``poetry poe TASK`` (or the prefix ``[tool.poe] poetry_command`` names; with ``""`` each
task is a poetry command of its own, ``poetry TASK``) runs a task of the project's ``pyproject.toml``;
``[tool.poe.poetry_hooks]`` runs one before (``pre_install``) or after (``post_build``) any poetry
command (``post_env_info`` for ``poetry env info``); ``python -m poethepoet TASK`` is ``poe TASK``.
Each is analysed as the ``poe`` command it amounts to (``python_scripts.poe``). Whether the plugin is
installed is not known here: a project that configures it is read as if it were.
Standard library only (tomllib, imported when poetry runs in a project that mentions poe).
"""

from __future__ import annotations

import posixpath

from vectimus.analyser import argv, runs
from vectimus.analyser.context import Analysis, Cmd, Word

POETRY_OPTS = argv.opts("-C --directory -P --project")


def run(an: Analysis, cmd: Cmd, words) -> None:
    """``poetry`` with ``words`` (after its name): the poe tasks the plugin runs for it."""
    from vectimus.analyser.programs import tasks

    p = argv.parse(list(words), POETRY_OPTS, stop_at_operand=True)
    given = p.value("C", "directory", "P", "project")
    if not p.operands or any(w.dynamic for w in p.operands[:2]) or given is not None and given.dynamic:
        return  # (a project named by an unknown value is code nobody read: project_builds)
    path = tasks.nearest(an, cmd.moved([given]) if given is not None else cmd, ("pyproject.toml",))
    text = runs.read(an, path)[0] if path else None
    if not text or "poe" not in text:
        return
    import tomllib

    try:
        poe = _table(tomllib.loads(text.removeprefix("\ufeff")), "tool", "poe")
    except (tomllib.TOMLDecodeError, RecursionError):
        return  # poetry refuses the file: nothing runs
    prefix = poe.get("poetry_command", "poe")
    prefix = prefix.strip() if isinstance(prefix, str) else "poe"
    names = [w.text for w in p.operands]
    lines: list[list[Word]] = []
    for key, ref in _table(poe, "poetry_hooks").items():
        when, _, command = key.partition("_")
        if when in ("pre", "post") and isinstance(ref, str) and command and \
                names[:len(command.split("_"))] == command.replace("_", " ").split():
            lines.append([Word(part) for part in _split(ref)])
    if prefix and names[0] == prefix and len(names) > 1:
        lines.append(p.operands[1:])
    elif not prefix and names[0] in _table(poe, "tasks") and not names[0].startswith("_"):
        lines.append(p.operands)
    root = Word(posixpath.dirname(path) or "/")
    for line in lines:
        if line:
            an.dispatch(cmd.with_words([Word("poe"), Word("--root"), root, *line], via="poetry poe"))


def module(an: Analysis, cmd: Cmd, args) -> None:
    """``python -m poethepoet ARGS``: ``poe ARGS``."""
    an.dispatch(cmd.with_words([Word("poe"), *args], via="python -m poethepoet"))


def _table(data, *keys: str) -> dict:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}


def _split(ref: str) -> list[str]:
    import shlex

    try:
        return shlex.split(ref)
    except ValueError:
        return ref.split()

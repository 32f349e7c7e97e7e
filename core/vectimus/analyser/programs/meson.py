"""Meson: ``meson setup BUILD [SOURCE]`` (also ``meson BUILD``, ``meson configure``) evaluates the
project's ``meson.build`` and the ones it ``subdir()``s, running each ``run_command(…)`` and
``configure_file(command: …)``; ``meson compile`` also runs ``custom_target``/``run_target``
commands. The files are read by ``build_tokens``; ``find_program('x')`` is the program ``x``.
Standard library only: imported when meson runs.
"""

from __future__ import annotations

import posixpath

from vectimus.analyser import argv, runs
from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus.analyser.programs import build_tokens as bt

VALUE = argv.opts("-C --prefix --bindir --libdir --buildtype -D --native-file --cross-file --backend "
                  "--wrap-mode -j --jobs --default-library --warnlevel")
MAX_FILES = 64
SETUP = ("setup", "configure", "compile", "install", "test", "dist", "rewrite")
AT_SETUP = ("run_command", "configure_file")
AT_BUILD = ("custom_target", "run_target")


def run(an: Analysis, cmd: Cmd, name: str) -> None:
    """``meson …``: what the project's meson.build files run at setup (and at build)."""
    p = argv.parse(cmd.words[1:], VALUE)
    ops = [w for w in p.operands if not w.dynamic]
    if p.has("v", "version", "h", "help") or not ops:
        return
    sub = ops[0].text if ops[0].text in SETUP or ops[0].text in ("init", "introspect", "wrap", "subprojects",
                                                                 "env2mfile", "devenv", "format", "fmt") else ""
    if sub and sub not in SETUP:
        return
    rest = ops[1:] if sub else ops
    building = sub in ("compile", "install", "test", "dist")
    build_dir = p.value("C") or (rest[0] if rest else Word("."))
    source = rest[1] if len(rest) > 1 else None
    folder = an.target(source, cmd.scope).path if source is not None else cmd.scope.places.cwd
    if not an.target(Word(f"{folder}/meson.build"), cmd.scope).exists:
        folder = _from_build(an, an.target(build_dir, cmd.scope).path) or folder
    read_file(an, cmd, f"{folder}/meson.build", building, set(), {})


def _from_build(an: Analysis, build: str) -> str:
    """The source directory a meson build directory was set up from (its ``meson-info``), or ""."""
    import json

    text, _ = runs.read(an, f"{build}/meson-info/meson-info.json")
    try:
        found = json.loads(text or "{}").get("directories", {}).get("source", "")
    except (ValueError, AttributeError, RecursionError):
        return ""
    return found if isinstance(found, str) else ""


def read_file(an: Analysis, cmd: Cmd, path: str, building: bool, seen: set[str], names: dict[str, str]) -> None:
    """One meson.build: its commands analysed, its subdirectories' read (in its scope: ``names``)."""
    found = runs.source_once(an, cmd, path, seen, MAX_FILES, "meson.build files")
    if found is None:
        return
    text, label, mine = found
    commands, subdirs = read(text, building, names)
    for command in commands:
        runs.analyse(an, cmd, command, "shell", label, mine, path=path)
    for sub in subdirs:
        read_file(an, cmd, posixpath.normpath(f"{posixpath.dirname(path)}/{sub}/meson.build"), building, seen, names)


def read(text: str, building: bool = True, names: dict[str, str] | None = None) -> tuple[list[str], list[str]]:
    """(shell text of each command the meson.build ``text`` runs, the subdirectories it reads);
    ``names`` the string variables set so far (updated)."""
    toks = _programs(bt.tokens(text, "meson"))
    names = {} if names is None else names
    commands: list[str] = []
    subdirs: list[str] = []
    for i, (kind, word) in enumerate(toks):
        if kind != "name" or toks[i + 1:i + 2] not in ([("op", "(")], [("op", "=")]):
            continue
        if toks[i + 1] == ("op", "=") and toks[i + 2:i + 3] and toks[i + 2][0] == "str" and \
                toks[i + 3:i + 4] in ([("op", "\n")], []):
            names[word] = toks[i + 2][1]
            continue
        if toks[i + 1] != ("op", "(") or (i and toks[i - 1] == ("op", ".")):
            continue
        if word in AT_SETUP or (building and word in AT_BUILD):
            positional, keywords, _ = bt.call_arguments(toks, i + 1, names)
            values = positional if word == "run_command" else [keywords.get("command")] \
                if "command" in keywords else []
            argv_words = bt.words(values)
            if argv_words:
                commands.append(bt.shell_words(argv_words, "MESON_UNKNOWN"))
        elif word == "subdir":
            positional, _, _ = bt.call_arguments(toks, i + 1, names)
            subdirs += [s for s in bt.words(positional[:1]) if bt.UNKNOWN not in s]
    return commands, subdirs


def _programs(toks: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``find_program('x', …)`` as the string ``'x'`` (the program it finds)."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(toks):
        if toks[i] == ("name", "find_program") and toks[i + 1:i + 2] == [("op", "(")] and \
                toks[i + 2:i + 3] and toks[i + 2][0] == "str":
            out.append(toks[i + 2])
            depth, i = 1, i + 3
            while i < len(toks) and depth:
                depth += {"(": 1, ")": -1}.get(toks[i][1], 0) if toks[i][0] == "op" else 0
                i += 1
            continue
        out.append(toks[i])
        i += 1
    return out


def deferred(an: Analysis, cmd: Cmd, path: str, text: str) -> None:
    """A meson.build being written: what it runs at setup and at build."""
    commands, _ = read(text)
    for command in commands:
        runs.analyse(an, cmd, command, "shell", runs.display(an, path), True, path=path)


HANDLERS = {"meson": run}

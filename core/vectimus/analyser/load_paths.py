"""Directories environment knobs make a program search for code: what the agent put there runs.

``LD_LIBRARY_PATH=. ls`` loads a library the agent wrote in ``.`` instead of the system's;
``GCONV_PATH`` does the same for iconv's converters (any program converting character sets),
``NODE_PATH`` for modules ``require`` finds by name, ``PYTHONHOME`` for Python's standard library
(``encodings`` and ``site`` load at start-up, ``.pth`` files run). Each file the agent wrote in such
a directory (in this call or its session) is analysed as code the command runs: a library is
unread (``vectimus-codexec-006`` asks), a script is judged by what it does. The repository's and
the system's own files there run as installed. ``PYTHONBREAKPOINT=mod.fn`` and the warning
categories of ``PYTHONWARNINGS``/``-W`` (``ignore::mod.Warning``) import a module by name: the
file it resolves to on the path is analysed, whoever wrote it.
Standard library only: imported when a command sets one of these.
"""

from __future__ import annotations

import glob
import posixpath

from vectimus.analyser import runs
from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus.analyser.facts import env
from vectimus import world

MAX_ENTRIES = 256  # names looked at in one directory

# knob -> (the language of what is loaded from its directories, the names that are loaded)
KNOBS = {
    "LD_LIBRARY_PATH": "native", "DYLD_LIBRARY_PATH": "native", "DYLD_FRAMEWORK_PATH": "native",
    "GCONV_PATH": "native", "NODE_PATH": "node",
}


def _loaded_name(runner: str, name: str) -> bool:
    if runner == "native":
        return ".so" in name or name.endswith(".dylib")
    if runner == "node":
        return name.endswith((".js", ".cjs", ".mjs", ".json", ".node"))
    return name.endswith((".py", ".pth"))


def written_in(an: Analysis, folder: str, runner: str) -> list[str]:
    """The files the agent wrote directly in ``folder`` (and, for node, in its packages) that
    ``runner`` would load from there."""
    found = {p for p in an.pending if posixpath.dirname(p) == folder and _loaded_name(runner, posixpath.basename(p))}
    try:
        entries = world.scandir(folder, MAX_ENTRIES)
    except (OSError, ValueError):
        entries = []
    for entry in entries:
        path = f"{folder}/{entry.name}"
        if _loaded_name(runner, entry.name):
            found.add(path)
        elif runner == "node" and entry.is_dir():
            found.update(f"{path}/{n}" for n in ("index.js", "index.cjs", "index.mjs"))
    return sorted(p for p in found if runs.by_agent(an, p) and (p in an.pending or world.isfile(p)))


def _folders(an: Analysis, cmd: Cmd, word: Word) -> list[tuple[str, str]]:
    """(entry, resolved directory) for each entry of a colon-separated path list that is not a
    system directory nor Vectimus's own (an empty entry is the current directory)."""
    out = []
    for entry in word.text.split(":"):
        if "$" in entry or "`" in entry:
            continue
        target = an.target(Word(entry or "."), cmd.scope)
        if not target.is_system and not target.is_vectimus and target.path.startswith("/"):
            out.append((entry or ".", target.path.rstrip("/") or "/"))
    return out


def run(an: Analysis, cmd: Cmd, lang: str | None) -> None:
    """Analyse what the command's load-path knobs make it load from directories the agent wrote in."""
    for knob, runner in KNOBS.items():
        if runner == "node" and lang != "node":
            continue
        for entry, folder in (f for word in env.values(cmd, knob) for f in _folders(an, cmd, word)):
            for path in written_in(an, folder, runner):
                runs.run_file(an, cmd, Word(path), runner=runner, label=f"{knob}={entry} ({runs.display(an, path)})")
    if lang != "python":
        return
    for entry, folder in (f for word in env.values(cmd, "PYTHONHOME") for f in _folders(an, cmd, word)):
        prefix = folder.partition(":")[0]  # PYTHONHOME=prefix:exec_prefix
        for lib in sorted(world.glob(f"{glob.escape(prefix)}/lib/python3*"))[:4]:
            for sub in (lib, f"{lib}/encodings", f"{lib}/site-packages"):
                for path in written_in(an, sub, "python"):
                    runs.run_file(an, cmd, Word(path), runner="python", label=f"PYTHONHOME={entry} ({runs.display(an, path)})")
    _imported_by_name(an, cmd)


def _imported_by_name(an: Analysis, cmd: Cmd) -> None:
    """``PYTHONBREAKPOINT=mod.fn`` (imported when the code calls ``breakpoint()``) and the warning
    categories of ``PYTHONWARNINGS``/``-W`` (imported at start-up): the module's file runs."""
    pythonpath = env.value(cmd, "PYTHONPATH")
    path_dirs = [folder for _, folder in _folders(an, cmd, pythonpath)] if pythonpath is not None else []
    script = next((w for w in cmd.words[1:] if not w.text.startswith("-")), None)
    first = an.target(Word(posixpath.dirname(script.text) or "."), cmd.scope).path if script is not None \
        else cmd.scope.places.cwd
    hook = env.value(cmd, "PYTHONBREAKPOINT")
    if hook is not None and "." in hook.text and not hook.dynamic:
        _module(an, cmd, hook.text.rpartition(".")[0], [first, *path_dirs], "PYTHONBREAKPOINT")
    warnings = [w.text for w in [env.value(cmd, "PYTHONWARNINGS")] if w is not None and not w.dynamic]
    words = [w.text for w in cmd.words[1:]]
    warnings += [words[i + 1] for i, t in enumerate(words[:-1]) if t == "-W"] + [t[2:] for t in words if t.startswith("-W") and len(t) > 2]
    for spec in (s for text in warnings for s in text.split(",")):
        category = spec.split(":")[2] if spec.count(":") >= 2 else ""
        if "." in category:
            _module(an, cmd, category.rpartition(".")[0], path_dirs, "PYTHONWARNINGS")


def _module(an: Analysis, cmd: Cmd, module: str, folders: list[str], knob: str) -> None:
    """The file a module name resolves to in the first of ``folders`` that holds it, analysed."""
    rel = module.replace(".", "/")
    for folder in folders:
        for path in (f"{folder}/{rel}.py", f"{folder}/{rel}/__init__.py"):
            if path in an.pending or world.isfile(path):
                runs.run_file(an, cmd, Word(path), runner="python", label=f"{knob} {module} ({runs.display(an, path)})")
                return

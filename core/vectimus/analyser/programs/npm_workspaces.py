"""npm's workspaces: which package.json a script of ``npm run``/``npm test`` comes from.

``npm run build --workspaces`` (``--ws``, ``-ws``) runs ``build`` in every workspace the root
package.json's ``workspaces`` lists (a list of patterns, or ``{"packages": […]}``), each in its own
folder, and in the root too with ``--include-workspace-root``; ``-w NAME`` / ``--workspace=PATH``
in the workspaces it names: a package name, a folder, or a folder holding workspaces. Read as one
script of the root, ``"build": "npm run build --workspaces"`` ran itself without end and was unread.
A selection Vectimus cannot resolve (a value known only at run time, no ``workspaces``, a name no
workspace has, more than ``MAX_LISTED`` folders) leaves the command read as before, from the nearest
package.json; past ``MAX_WORKSPACES`` workspaces, those whose package.json the agent wrote are read.
``listed`` serves the monorepo runners too (``js_monorepo``). Standard library only.
"""

from __future__ import annotations

import glob
import json
import os

from vectimus import world
from vectimus.analyser import runs
from vectimus.analyser.context import Analysis, Cmd, Word

MAX_WORKSPACES = 32  # workspaces whose package.json one command reads (and, past it, the agent's)
MAX_LISTED = 512     # folders a workspace pattern may match
ALL = ("--workspaces", "--ws", "-ws", "--workspaces=true")
ROOT = ("--include-workspace-root", "-iwr", "--include-workspace-root=true")
NAMED = ("-w", "--workspace")
OWN = (*ALL, *ROOT, "--if-present", "--if-present=true")  # npm's own flags, never the script's


def selected(an: Analysis, cmd: Cmd, words: list[Word], nearest) -> list[str] | None:
    """The folders whose package.json scripts ``npm … words`` runs (its options before ``--``), or
    None when it selects no workspace or one Vectimus cannot resolve; ``nearest(an, cmd, names)``
    finds the root package.json (``tasks.nearest``)."""
    texts = [w.text for w in words]
    every = any(t in ALL for t in texts)
    names: list[Word] = []
    for i, word in enumerate(words):
        if word.text in NAMED and i + 1 < len(words):
            names.append(words[i + 1])
        elif word.text.startswith("--workspace="):
            names.append(word._replace(text=word.text.split("=", 1)[1]))
    if not every and not names or any(w.dynamic or w.glob for w in [*names, *words]):
        return None
    root = nearest(an, cmd, ("package.json",))
    folders = _workspaces(an, os.path.dirname(root)) if root else None
    if not folders:
        return None
    chosen = list(folders) if every else []
    for name in names:
        where = os.path.normpath(os.path.join(os.path.dirname(root), name.text))
        match = [f for f, pkg in folders.items() if pkg == name.text or f == where or f.startswith(where + "/")]
        if not match:
            return None
        chosen += [f for f in match if f not in chosen]
    if any(t in ROOT for t in texts):
        chosen.insert(0, os.path.dirname(root))
    return chosen


def _workspaces(an: Analysis, root: str) -> dict[str, str] | None:
    """The workspace folders the package.json in ``root`` lists, each with its package's name."""
    text, _ = runs.read(an, os.path.join(root, "package.json"))
    try:
        data = json.loads((text or "").removeprefix("\ufeff"))
    except (ValueError, RecursionError):
        return None
    patterns = data.get("workspaces") if isinstance(data, dict) else None
    if isinstance(patterns, dict):
        patterns = patterns.get("packages")
    return listed(an, root, patterns) if isinstance(patterns, list) else None


def listed(an: Analysis, root: str, patterns: list) -> dict[str, str] | None:
    """The folders under ``root`` the workspace ``patterns`` match that hold a package.json, each
    with its package's name; past ``MAX_WORKSPACES``, only those whose package.json the agent wrote
    this session (the repository's own are not all read at each call); None when the patterns match
    more than can be listed."""
    found: dict[str, str] = {}
    for pattern in patterns:
        if not isinstance(pattern, str) or pattern.startswith("!"):
            continue
        where = os.path.normpath(os.path.join(glob.escape(root), pattern.rstrip("/")))
        matches = world.glob(where, recursive=True, limit=MAX_LISTED)
        if len(matches) >= MAX_LISTED:
            return None  # more than it lists: some workspace would go unread
        for folder in matches:
            path = os.path.join(folder, "package.json")
            if folder in found or not world.isfile(path):
                continue
            if len(found) >= MAX_WORKSPACES and not runs.by_agent(an, path):
                continue
            text, _ = runs.read(an, path)
            try:
                pkg = json.loads((text or "").removeprefix("\ufeff"))
            except (ValueError, RecursionError):
                pkg = {}
            found[folder] = pkg.get("name", "") if isinstance(pkg, dict) else ""
    return found


def own_flags(extra: tuple[Word, ...]) -> tuple[Word, ...]:
    """``extra`` (the words after a script's name) without the workspace options npm takes itself."""
    out: list[Word] = []
    skip = False
    for word in extra:
        if skip:
            skip = False
        elif word.text in NAMED:
            skip = True
        elif word.text not in OWN and not word.text.startswith("--workspace="):
            out.append(word)
    return tuple(out)

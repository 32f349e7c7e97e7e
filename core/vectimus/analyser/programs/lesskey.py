"""The lesskey source file less reads as it starts (``LESSKEYIN``, ``--lesskey-src``, else
``$XDG_CONFIG_HOME/lesskey``, ``~/.config/lesskey`` or ``~/.lesskey``): its ``#env`` section sets
variables for less alone, and a ``LESSOPEN``/``LESSCLOSE`` there is a command less runs on the file
it opens (``LESS`` with ``+!`` one it runs as it starts), as when set on the command line. A file
the agent wrote there that cannot be read is code Vectimus could not analyse.

Standard library only: imported when a call runs less.
"""

from __future__ import annotations

import os
import re

from vectimus.analyser import argv, runs
from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus.analyser.facts import env
from vectimus import world

_SETTING = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*\+?=\s*(.*?)\s*$")
COMMANDS = ("LESSOPEN", "LESSCLOSE", "LESS")


def run(an: Analysis, cmd: Cmd, program: str) -> None:
    """The commands the lesskey source file of this ``less`` call sets in its ``#env`` section."""
    path = _source(an, cmd)
    if path is None:
        return
    text, why = runs.read(an, path)
    name = runs.display(an, path)
    if text is None:
        if why:
            runs.unread(an, cmd, path, name, runs.by_agent(an, path), why)
        return
    operand = next((w.text for w in cmd.words[1:] if not w.text.startswith("-")), "file")
    for knob, value in _env_section(text):
        if knob == "LESS":
            value = value.partition("+!")[2]
        value = value.lstrip("|-").replace("%s", operand)
        if value.strip():
            an.shell(Word(value), cmd, f"{name} #env {knob}")


def _source(an: Analysis, cmd: Cmd) -> str | None:
    """The lesskey source file this call reads (resolved), or None."""
    given = argv.parse(cmd.words[1:], argv.opts("--lesskey-src")).value("lesskey-src") or env.value(cmd, "LESSKEYIN")
    if given is not None:
        return None if given.dynamic else an.resolve(given, cmd.scope)
    home = an.env.get("HOME") or cmd.scope.places.home
    config = an.env.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    return next((p for p in (os.path.join(config, "lesskey"), os.path.join(home, ".lesskey"))
                 if p in an.pending or world.isfile(p)), None)


def _env_section(text: str) -> list[tuple[str, str]]:
    """The command-holding variables the ``#env`` section of lesskey source ``text`` sets."""
    out, section = [], ""
    for line in text.splitlines()[:4096]:
        if line.strip().startswith("#"):
            section = line.strip().split()[0]
            continue
        found = _SETTING.match(line) if section == "#env" else None
        if found and found.group(1) in COMMANDS:
            out.append((found.group(1), found.group(2)))
    return out

"""``eval "$(pyenv init -)"``: a version manager, environment tool or agent printing the shell code
that sets it up, run by ``eval``. What such a tool prints is its own setup (``PATH``, its shims, a
hook function), as trusted as the tool itself, whose run the analysis already judged; so the eval is
not code nobody can read, when the program is one of these, asked only for its setup, and found
outside the project in a file the agent did not write (``runs.by_agent``: in this session).

Standard library only: imported when ``eval`` runs a command's output.
"""

from __future__ import annotations

import os
import re
import shlex

from vectimus.analyser import runs
from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus import world

# program -> the argument lists with which it prints its shell setup
SETUP = {
    "pyenv": (("init", "-"), ("init", "--path"), ("init", "-", "bash"), ("init", "-", "zsh"), ("virtualenv-init", "-")),
    "rbenv": (("init", "-"), ("init", "-", "bash"), ("init", "-", "zsh")),
    "nodenv": (("init", "-"),), "goenv": (("init", "-"),), "jenv": (("init", "-"),), "plenv": (("init", "-"),),
    "direnv": (("hook", "bash"), ("hook", "zsh")),
    "conda": (("shell.bash", "hook"), ("shell.zsh", "hook")), "mamba": (("shell", "hook", "--shell", "bash"),),
    "brew": (("shellenv",),), "ssh-agent": (("-s",), ()), "fnm": (("env",), ("env", "--use-on-cd")),
    "zoxide": (("init", "bash"), ("init", "zsh")), "starship": (("init", "bash"), ("init", "zsh")),
    "mise": (("activate", "bash"), ("activate", "zsh")), "rtx": (("activate", "bash"),),
    "dircolors": ((), ("-b",)), "opam": (("env",),), "luarocks": (("path",),),
}
_SUBSTITUTION = re.compile(r"\$\(([^$`;|&<>()\n\\]*)\)|`([^$`;|&<>()\n\\]*)`")


def prints_setup(an: Analysis, cmd: Cmd, word: Word) -> bool:
    """Whether ``word``, all of ``eval``'s arguments, is one such tool's setup output."""
    found = _SUBSTITUTION.fullmatch(word.text.strip())
    if not word.dynamic or found is None:
        return False
    try:
        words = shlex.split(found.group(1) or found.group(2) or "")
    except ValueError:
        return False
    if not words or tuple(words[1:]) not in SETUP.get(os.path.basename(words[0]), ()):
        return False
    where = _found(an, cmd, words[0])
    if where is None:
        return False
    facts = an.target(Word(where), cmd.scope)
    return facts.exists and not facts.in_project and not runs.by_agent(an, facts.path)


def _found(an: Analysis, cmd: Cmd, program: str) -> str | None:
    """The file ``program`` runs from: itself with a ``/``, else the first on the shell's ``PATH``."""
    if "/" in program:
        return program
    path = cmd.scope.vars.get("PATH")
    if path is not None and path.dynamic:
        return None
    for folder in (path.text if path is not None else an.env.get("PATH", "")).split(":"):
        if not folder.startswith("/"):
            return None  # a relative directory on PATH: the project's files
        candidate = f"{folder.rstrip('/')}/{program}"
        if world.executable(candidate) and not world.isdir(candidate):
            return candidate
    return None

"""Modules Python code imports that the agent wrote: a module's top-level code runs when it is
imported, so one the agent wrote or changed in this session (found where Python would find it:
beside the script, in the working directory for ``-c``/``-m``/stdin, on ``PYTHONPATH``) is read
and analysed as part of the call, like a script it runs. The repository's own modules, the
standard library and installed packages are not followed: they are not the agent's code.
Standard library only: used on the hot path (the first test is a set lookup).
"""

from __future__ import annotations

import os
import sys

from vectimus.analyser import runs
from vectimus.analyser.context import Word
from vectimus import world

MAX_FOLLOWED = 32  # modules one call follows


def follow(ev, module: str) -> None:
    """Analyse the modules of the agent's that ``import module`` runs (a package's ``__init__``
    first, then the module)."""
    if not module or module[0] == "." or module.partition(".")[0] in sys.stdlib_module_names:
        return
    an = ev.an
    if not runs.agent_wrote_anything(an):
        return
    followed = an.memo.setdefault("imports followed", set())
    parts = module.split(".")
    for base in _search_path(ev):
        top = os.path.join(base, parts[0])
        if not (world.exists(top + ".py") or world.isdir(top)
                or any(p == top + ".py" or p.startswith(top + "/") for p in an.pending)):
            continue
        for i in range(1, len(parts) + 1):
            stem = os.path.join(base, *parts[:i])
            for candidate in (os.path.join(stem, "__init__.py"), stem + ".py"):
                if candidate in followed or len(followed) >= MAX_FOLLOWED:
                    continue
                if (candidate in an.pending or world.isfile(candidate)) and runs.by_agent(an, candidate):
                    followed.add(candidate)
                    runs.run_file(an, ev.fx.cmd, Word(candidate), runner="python",
                                  label=f"import {module} ({runs.display(an, candidate)})")
        return  # the first directory holding the top-level name is where Python finds it


def _search_path(ev) -> list[str]:
    """The directories Python looks in first: the script's (the working directory when the code
    is inline or a module), then ``PYTHONPATH``."""
    from vectimus.analyser.facts import env

    cmd = ev.fx.cmd
    scope = cmd.scope
    script = next((w for w in cmd.words[1:] if w.text.endswith(".py") and not w.text.startswith("-")
                   and not w.dynamic), None)
    first = ev.an.target(script if script is not None else Word("."), scope).path
    dirs = [os.path.dirname(first) if script is not None else first]
    extra = env.value(cmd, "PYTHONPATH") or Word(ev.an.env.get("PYTHONPATH", ""))
    if not extra.dynamic:
        dirs += [ev.an.target(Word(d), scope).path for d in extra.text.split(":") if d]
    return dirs

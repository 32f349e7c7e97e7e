"""Modules JavaScript code loads by path that the agent wrote, or from a URL: ``require('./x')``, ``import … from
'./x'`` and ``import('./x')`` run the file's top-level code, so one the agent wrote or changed in
this session (resolved as node does: the extensions, a directory's ``index``) is read and analysed
as part of the call. The repository's own files and installed packages are not followed.
Standard library only: used on the hot path (the first test is a string prefix).
"""

from __future__ import annotations

import os

from vectimus.analyser import runs
from vectimus.analyser.context import Word
from vectimus import world

ENTRIES = ("", ".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".json", "/index.js", "/index.mjs", "/index.ts")
SCRIPTS = (".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".jsx", ".tsx")


def follow(ev, spec: str | None) -> None:
    """Analyse the agent's file that loading ``spec`` runs; a module loaded from a URL (deno, bun,
    ``--experimental-network-imports``) is downloaded code nobody can read here."""
    if spec and spec.startswith(("https://", "http://")):
        from vectimus.analyser.languages import values as V

        ev.fx.network(V.const(spec))
        ev.fx.dynamic("import of a URL")
        return
    if not spec or not spec.startswith(("./", "../", "/")) or not runs.agent_wrote_anything(ev.an):
        return
    an, cmd = ev.an, ev.fx.cmd
    script = next((w for w in cmd.words[1:] if w.text.endswith(SCRIPTS) and not w.text.startswith("-")
                   and not w.dynamic), None)
    base = os.path.dirname(an.target(script, cmd.scope).path) if script is not None else \
        an.target(Word("."), cmd.scope).path
    followed = an.memo.setdefault("requires followed", set())
    for suffix in ENTRIES:
        path = an.target(Word(os.path.join(base, spec) + suffix), cmd.scope).path
        written_dir = any(p.startswith(path + "/") for p in an.pending)  # `mkdir -p lib` then lib/index.js
        if (path in an.pending and not written_dir) or world.isfile(path):
            if path not in followed and runs.by_agent(an, path) and not path.endswith(".json"):
                followed.add(path)
                runs.run_file(an, cmd, Word(path), runner="node", label=f"require {spec} ({runs.display(an, path)})")
            return

"""The text a ``trap`` runs, judged with the variables it will see.

``trap 'rm -rf "$T"' EXIT`` runs in the shell that set it, when a signal comes or the shell exits:
at any moment after the ``trap``. A variable's value at the ``trap`` is the value it runs with only
when nothing can change it afterwards, so the text is analysed when the script has been walked
(``flow.uncalled``), with the variables the shell had at the ``trap`` that the script assigns once
(``T=$(mktemp -d)``, nowhere else). Every other variable is unknown there: one assigned twice, or in
a script that can assign a name without spelling it (``eval``, ``source``, ``declare``, ``read`` …).

Standard library only: used on the hot path.
"""

from __future__ import annotations

import re

from vectimus.analyser.context import Analysis, Cmd, Scope, Word

# A script that may assign a variable whose name it does not spell out: eval, source, and the
# builtins that assign a name given as an expansion (``read "$N"``, ``printf -v "$N"``, ``declare "$N=…"``).
_ASSIGNS_BY_NAME = re.compile(
    r"(?:^|[;&|(`{\n]|\b(?:then|do|else|elif|if|while|until|time|command|builtin|exec)\s|!\s)\s*\.\s"
    r"|(?:^|[\s;&|(`{])(?:(?:eval|source)(?=\s)|(?:declare|typeset|local|readonly|export|read|mapfile|"
    r"readarray|getopts|let|unset)\b[^;&|\n]*?\s[\"']?\$|printf\s+-v\s*[\"']?\$)", re.M)  # printf assigns only with -v


def register(an: Analysis, cmd: Cmd, text: Word) -> None:
    """Keep the ``trap`` text ``text`` to judge when the script that set it has been walked."""
    an.memo.setdefault("traps", []).append((text, cmd, cmd.scope.child()))


def judge(walker) -> None:
    """Analyse the trap texts the text ``walker`` walked set (and those of texts it ran)."""
    pending = walker.an.memo.get("traps") or []
    script = None
    while pending and pending[-1][1].depth >= walker.depth:
        text, cmd, scope = pending.pop()
        if script is None:
            script = walker.data.decode("utf-8", "replace")
        walker.an.shell(text, cmd, "trap", scope=_settled(scope, script))


def _settled(scope: Scope, script: str) -> Scope:
    """``scope`` with only the variables ``script`` assigns once kept (as ``$NAME``, unknown, else)."""
    fixed = not _ASSIGNS_BY_NAME.search(script)
    for name in list(scope.vars):
        if not fixed or name in scope.choices or _spelled(name, script) > 1:
            scope.vars[name] = Word("$" + name, dynamic=True)
    return scope


def _spelled(name: str, script: str) -> int:
    """How often ``script`` spells ``name`` other than as an expansion (``$NAME``, ``${NAME…}``)."""
    return sum(1 for m in re.finditer(rf"(?<![\w$]){re.escape(name)}(?!\w)", script)
               if script[max(m.start() - 2, 0):m.start()] != "${")

"""cargo's aliases: ``cargo NAME`` where ``[alias] NAME = "…"`` (or ``CARGO_ALIAS_NAME``) in a cargo
configuration runs cargo with those words instead, so ``xb = "run --config target.….runner='…'"``
is judged as the command it stands for. An alias naming another is followed (bounded); a built-in
command is never an alias.
Standard library only (tomllib, imported when cargo runs something it does not know).
"""

from __future__ import annotations

from vectimus.analyser.context import Cmd, Word

MAX_DEPTH = 4


def expanded(cmd: Cmd, at: int, sub: str, builtins: frozenset[str], aliases: dict) -> list[Word] | None:
    """The words of ``cmd`` with the alias ``sub`` (its word at index ``at``) replaced by what it
    stands for in ``aliases`` (the configuration's ``[alias]`` tables) or ``CARGO_ALIAS_*``; None
    when ``sub`` is no alias."""
    from vectimus.analyser.facts import env

    words = list(cmd.words)
    for _ in range(MAX_DEPTH):
        if sub in builtins:
            break
        variable = env.value(cmd, f"CARGO_ALIAS_{sub.upper().replace('-', '_')}")
        value = variable.text if variable is not None else aliases.get(sub)
        if isinstance(value, str):
            parts = value.split()  # (cargo splits a string alias at whitespace, quotes and all)
        elif isinstance(value, list) and all(isinstance(p, str) for p in value):
            parts = list(value)
        else:
            break
        if not parts:
            break
        words[at:at + 1] = [Word(p, variable is not None and variable.dynamic) for p in parts]
        sub = parts[0]
    return words if words != list(cmd.words) else None

"""Python code, read with the standard ``ast`` module into the shell analyser's actions.

``analyse`` parses the code (bounded: a syntax tree too deep for the parser, or code that is not
Python 3, is analysed as far as it parses and the rest is a dynamic exec with a one-line reason),
then ``evaluate.Evaluator`` runs it abstractly: imports and aliases, constants, the calls into
``os``, ``shutil``, ``pathlib``, ``subprocess``, sockets and HTTP clients that ``library`` knows.
``ast`` is imported here, so only calls that run Python pay for it.
"""

from __future__ import annotations

import ast
import functools

from vectimus.analyser.context import Analysis, Cmd, Unanalysable, Word
from vectimus.analyser.languages.effects import Effects

MAX_REPAIRS = 16  # lines blanked out to get past syntax errors (Python 2 print statements …)


def analyse(an: Analysis, cmd: Cmd, lang: str, code: Word) -> None:
    """Record the actions of Python source ``code`` that ``cmd`` runs (``cmd.via`` ends in how)."""
    from vectimus.analyser.languages.python.evaluate import Evaluator

    fx = Effects(an, cmd, "python")
    tree, reason = parse(code.text)
    if reason:
        fx.give_up(reason)
    if tree is None:
        return
    Evaluator(an, fx, code).run(tree)


@functools.lru_cache(maxsize=16)
def parse(text: str) -> tuple[ast.Module | None, str]:
    """The module ``text`` parses to and, when part of it did not parse, why (one line).

    A line with a syntax error is blanked and parsing retried, so the rest is still analysed.
    Trees are kept for the last few texts (the evaluator never changes them): the daemon analyses
    a script when it is written and again when it runs.
    """
    lines: list[str] | None = None
    first = ""
    for _ in range(MAX_REPAIRS + 1):
        source = text if lines is None else "\n".join(lines)
        try:
            return ast.parse(source), first
        except SyntaxError as exc:
            why = f"syntax error at line {exc.lineno}: {exc.msg}"
            first = first or why
            if lines is None:
                lines = text.split("\n")
            index = (exc.lineno or 0) - 1
            if not 0 <= index < len(lines) or not lines[index].strip():
                return None, first
            line = lines[index]
            lines[index] = line[:len(line) - len(line.lstrip())] + "pass"
        except (RecursionError, MemoryError):
            return None, "too deeply nested to parse"
        except ValueError as exc:  # NUL bytes
            return None, " ".join(str(exc).split())[:80]
    return None, first or "too many syntax errors"


__all__ = ["Unanalysable", "analyse", "parse"]

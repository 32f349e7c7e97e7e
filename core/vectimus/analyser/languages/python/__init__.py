"""Python code, read with the standard ``ast`` module into the shell analyser's actions.

``analyse`` parses the code (bounded: a syntax tree too deep for the parser, or code that is not
Python 3, is analysed as far as it parses and the rest is a dynamic exec with a one-line reason),
then ``evaluate.Evaluator`` runs it abstractly: imports and aliases, constants, the calls into
``os``, ``shutil``, ``pathlib``, ``subprocess``, sockets and HTTP clients that ``library`` knows.
This package is imported the first time a call runs Python, so only those calls pay for ``ast``.
"""

from __future__ import annotations

from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus.analyser.languages import patching
from vectimus.analyser.languages.effects import Effects
from vectimus.analyser.languages.python.evaluate import Evaluator
from vectimus.analyser.languages.python.parse import parse


def analyse(an: Analysis, cmd: Cmd, lang: str, code: Word) -> None:
    """Record the actions of Python source ``code`` that ``cmd`` runs (``cmd.via`` ends in how)."""
    fx = Effects(an, cmd, "python")
    patching.seen(an, code.text)
    tree, reason = parse(code.text)
    if reason:
        fx.give_up(reason)
    if tree is None:
        return
    Evaluator(an, fx, code).run(tree)


__all__ = ["analyse", "parse"]

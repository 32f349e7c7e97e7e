"""``dotenv``, the two command-line tools of that name: what they read, print and run.

- python-dotenv's: ``dotenv [-f FILE] list|get KEY`` prints the file's values (a read of it, as
  ``cat .env`` is), ``set``/``unset`` change it, ``run [--override] COMMAND…`` runs the command with
  the file's values in its environment (the command is judged as it is, so ``printenv`` there dumps
  them).
- npm's dotenv-cli: ``dotenv [-e FILE]… [-v K=V]… [-p NAME] [-c [ENV]] [--] COMMAND…`` runs the
  command the same way; ``-p NAME`` prints one value from the files instead.

Standard library only: used on the hot path (``peel``'s table of wrappers names it).
"""

from __future__ import annotations

from typing import Literal

from vectimus.analyser import argv
from vectimus.analyser.context import Analysis, Cmd, Word

PYTHON_COMMANDS = frozenset(("list", "get", "set", "unset", "run"))
PYTHON_OPTS = argv.opts("-f --file -q --quote -e --export")
CLI_OPTS = argv.opts("-e -v -p")
DEFAULT = ".env"


def dotenv(cmd: Cmd, an: Analysis, name: str) -> Cmd | Literal[False] | None:
    """The command ``dotenv`` runs (peeled), None when it only reads or changes its files, False
    when it is not spelled as either tool spells it."""
    p = argv.parse(cmd.words[1:], PYTHON_OPTS, stop_at_operand=True)
    if p.operands and p.operands[0].text in PYTHON_COMMANDS and not p.operands[0].dynamic:
        files, sub, rest = p.all("f", "file") or [Word(DEFAULT)], p.operands[0].text, p.operands[1:]
        if sub == "run":
            rest = [w for w in rest if w.text not in ("--override", "--no-override")]
            rest = rest[1:] if rest[:1] and rest[0].text == "--" else rest
            return cmd.with_words(rest, via="dotenv run") if rest else None
        for path in files:
            an.file("file_read" if sub in ("list", "get") else "file_write", path, cmd, program=name)
        return None
    q = argv.parse(cmd.words[1:], CLI_OPTS)
    if q.has("p"):
        for path in q.all("e") or [Word(DEFAULT)]:
            an.file("file_read", path, cmd, program=name)
        return None
    return cmd.with_words(q.operands, via="dotenv") if q.operands else False

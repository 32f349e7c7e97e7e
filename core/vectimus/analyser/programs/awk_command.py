"""awk as a command (awk, gawk, mawk, nawk): its program is analysed, the files it names are read,
and the files gawk's ``inplace`` library rewrites are written (``gawk -i inplace …``,
``--include=inplace``, ``@include "inplace"`` in the program): editing the hook settings, a git
hook or a Makefile this way is judged as writing them. A library ``-i`` names is searched in the
working directory first (gawk's default AWKPATH), so one the agent wrote there is a file it runs.

Standard library only: imported when a call runs awk.
"""

from __future__ import annotations

import re

from vectimus.analyser import argv, runs
from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus import world

AWK_VALUE = argv.opts("-f --file -v --assign -F --field-separator -i --include -l --load -e --source "
                      "-E --exec")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_INCLUDES_INPLACE = re.compile(r'@include\s+"inplace(?:\.awk)?"')


def awk(an: Analysis, cmd: Cmd, program: str) -> None:
    """The program (first operand, ``-e``, or the ``-f``/``-E`` files) is analysed; file operands are
    read (``name=value`` operands are assignments), and written too when the inplace library is on."""
    p = argv.parse(cmd.words[1:], AWK_VALUE)
    ops = p.operands
    sources = p.all("e", "source")
    files = p.all("f", "file", "E", "exec")
    if not sources and not files and ops:
        sources, ops = ops[:1], ops[1:]
    inplace = any(_includes(an, cmd, word) for word in p.all("i", "include"))
    for word in files:
        an.file("file_read", word, cmd, program=program)
        runs.run_file(an, cmd, word, runner="awk")
        inplace = inplace or _INCLUDES_INPLACE.search(_text(an, cmd, word)) is not None
    if sources:
        text = "\n".join(w.text for w in sources)
        an.code("awk", Word(text, any(w.dynamic for w in sources)), cmd, "awk program")
        inplace = inplace or _INCLUDES_INPLACE.search(text) is not None
    for word in ops:
        if word.text != "-" and not _ASSIGNMENT.match(word.text):
            an.file("file_read", word, cmd, program=program)
            if inplace:
                an.file("file_write", word, cmd, program=program)


def _includes(an: Analysis, cmd: Cmd, word: Word) -> bool:
    """Whether the library ``-i word`` is gawk's inplace; a library file the working directory holds
    (``NAME`` or ``NAME.awk``) is the one loaded, and is run as awk code."""
    name = word.text.removesuffix(".awk")
    if word.dynamic:
        an.file("file_read", word, cmd, program="awk")
        return True  # (a library named at run time may be inplace)
    for candidate in (word.text, word.text + ".awk"):
        if "/" in candidate or world.isfile(an.resolve(Word(candidate), cmd.scope)):
            an.file("file_read", Word(candidate), cmd, program="awk")
            runs.run_file(an, cmd, Word(candidate), runner="awk")
            return _INCLUDES_INPLACE.search(_text(an, cmd, Word(candidate))) is not None
    return name == "inplace"


def _text(an: Analysis, cmd: Cmd, word: Word) -> str:
    """The text of the awk source file ``word`` names ("" when it cannot be read)."""
    if word.dynamic:
        return ""
    return runs.read(an, an.resolve(word, cmd.scope))[0] or ""


HANDLERS = {"awk": awk, "gawk": awk, "mawk": awk, "nawk": awk}

"""Pathname expansion of a loop's words (``for f in tests/*.sh``): each pattern becomes the files
it matches, sorted as bash sorts them, on disk or written earlier in this call; a pattern
matching nothing stays as written (bash's default). Past ``limit`` files, unknown (None).
Standard library only: used on the hot path.
"""

from __future__ import annotations

import fnmatch
import glob
import posixpath

from vectimus.analyser.context import Analysis, Scope, Word
from vectimus import world


def expanded(an: Analysis, words: list[Word], scope: Scope, limit: int) -> list[Word] | None:
    """``words`` with each known pattern replaced by its matches; None when there are more than
    ``limit`` in all or a relative pattern's directory is unknown."""
    out: list[Word] = []
    for word in words:
        if not word.glob or word.dynamic:
            out.append(word)
            continue
        text = word.text
        if text.startswith("~/"):  # the shell's tilde, not a directory named ~
            text = (an.env.get("HOME") or scope.places.home).rstrip("/") + text[1:]
        relative = not text.startswith("/")
        if relative and scope.cwd_dynamic:
            return None
        base = scope.places.cwd.rstrip("/") + "/"
        pattern = base + text if relative else text
        found = set(world.glob(pattern, limit=limit + 1))
        folder, _, name = pattern.rpartition("/")
        if not glob.has_magic(folder):  # this call's own new files there (a dot file only by a dot pattern)
            found.update(p for p in an.pending if posixpath.dirname(p) == folder
                         and (name.startswith(".") or not posixpath.basename(p).startswith("."))
                         and fnmatch.fnmatchcase(posixpath.basename(p), name))
        if len(out) + len(found) > limit:
            return None
        if not found:
            out.append(word)
        for path in sorted(found):
            out.append(Word(path[len(base):] if relative else path, secret=word.secret))
    return out

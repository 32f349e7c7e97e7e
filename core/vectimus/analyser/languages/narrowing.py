"""What a test on a listed name says of it: in ``[open(f) for f in os.listdir(".") if
f.endswith(".py")]`` the files read are ``*.py``, not every entry (``.env`` among them). A name
holding a directory listing's entries (a glob ending in ``*`` or ``.*``) becomes the entries the
test lets through; anything else is not narrowed, so the code's values stay as wide as before.
Each language reads its own tests (``python/narrowing``, ``javascript/narrowing``).
"""

from __future__ import annotations

import posixpath

from vectimus.analyser.languages import values as V
from vectimus.analyser.languages.folding import text
from vectimus.analyser.languages.values import CONST, OBJ, SEQ, Val


def narrow(value: Val, how: str, texts: list[str]) -> Val | None:
    """``value`` (a listing's entries) where a test ``how`` ("endswith", "startswith", "fnmatch", or
    "not_startswith" "." : the entries that are not hidden) of one of ``texts`` holds; None when
    ``value`` is not a listing's entries or the test is not one read here."""
    if how == "not_startswith" and texts != ["."]:
        return None
    options = []
    for option in V.options(value):
        inner, wrap = (option.value[1], True) if option.kind == OBJ and option.value[0] == "path" else (option, False)
        t = text(inner) if inner.kind == CONST and inner.glob else None
        if t is None or not (t == "*" or t.endswith(("/*", "/.*")) or t == ".*"):
            return None  # not a listing's entry: the test says nothing the analysis uses
        head, _, last = t.rpartition("/")
        for want in texts:
            if not want or "/" in want:
                return None
            if how == "not_startswith" and last != "*":
                continue  # the hidden entries (``.*``): none is let through
            name = (last + want if how == "endswith" else want + "*" if how == "startswith"
                    else "[!.]*" if how == "not_startswith"
                    else want if last == "*" or want.startswith(".") else "." + want)
            narrowed = V.Val(CONST, posixpath.join(head, name) if head else name, inner.taint, True, inner.item)
            options.append(V.obj("path", narrowed) if wrap else narrowed)
    return V.alts(options) if options else None



def texts(given: Val) -> list[str]:
    """The texts a test's argument may be (a tuple's items, a value's options); [] when one is unknown."""
    found = [text(o) for o in (given.value if given.kind == SEQ else V.options(given))]
    return [t for t in found if t is not None] if all(t is not None for t in found) else []

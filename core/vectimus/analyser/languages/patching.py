"""Whether code redefines a function by name (a monkeypatch), so that a call by that name may not
run the library's function.

A quoting or number function's result carries no shell syntax (``values.INERT_MARK``) only when
the call reaches the real function: ``shlex.quote = str``, ``setattr(shlex, "quote", …)``,
``globalThis.parseInt = x => x``, ``def to_i`` in a reopened class, ``tonumber = function …``,
``shQuote <- identity`` or a PHP namespace's own ``escapeshellarg`` make it return what it is
given. Read from the text of every piece of code the call analyses (a module it imports may do
it), conservatively: any assignment to, definition of, or string or symbol naming the function
counts (ordinary code has none of these).
Standard library only: used on the hot path (only when code calls such a function).
"""

from __future__ import annotations

import functools
import re

from vectimus.analyser.context import Analysis

# Constructs that change a function by a name the text does not show next to them.
_ANY = re.compile(r"setattr|__builtins__|\bbuiltins\b|__dict__|defineProperty|Reflect\.|prototype|"
                  r"\bnamespace\b|CORE::GLOBAL|method_missing|\brefine\b|\bprepend\b|__format__")


def seen(an: Analysis, text: str) -> None:
    """Code the call analyses: a redefinition in it counts for every call by that name."""
    an.memo.setdefault("code texts", []).append(text)


def patched(an: Analysis, name: str) -> bool:
    """Whether code this call runs may have redefined the function ``name``."""
    return any(redefines(text, name) for text in an.memo.get("code texts", ()))


@functools.lru_cache(maxsize=256)
def redefines(text: str, name: str) -> bool:
    """Whether ``text`` may redefine the function called ``name`` (its last dotted part)."""
    bare = re.escape(name.rpartition(".")[2].rpartition("::")[2])
    if _ANY.search(text):
        return True
    return re.search(rf"\b{bare}\b['\"]?\s*(?:=(?!=)|<<?-|:=)"                  # an assignment
                     rf"|(?:\bdef|\bfunction|\bsub|\balias(?:_method)?)\s+[:'\"]?(?:\w+\.)?{bare}\b"  # a definition
                     rf"|['\":]{bare}\b", text) is not None                  # named by a string or symbol


_SETS_ENV = re.compile(r"environ\s*\[[^\]]*\]\s*=(?!=)|environ\.(?:update|setdefault|__setitem__)|putenv|"
                       r"process\.env\s*(?:\.\s*\w+|\[[^\]]*\])\s*=(?!=)|Object\.assign\s*\(\s*process\.env|"
                       r"\benviron\s*=(?!=)|process\.env\s*=(?!=)")


def sets_environment(an: Analysis) -> bool:
    """Whether code this call runs may set an environment variable (``os.environ["X"] = input()``),
    so that a variable it reads is not only the user's."""
    return any(_SETS_ENV.search(text) for text in an.memo.get("code texts", ()))

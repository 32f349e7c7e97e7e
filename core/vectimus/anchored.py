"""Regular expressions compiled on first use and tried only on text that holds one of their anchors.

Compiling a pattern costs a tenth of a millisecond or more, and a set compiled when its module is
imported costs every hook process that imports it, whatever the call. An ``AnchoredPatterns`` set
pairs each pattern with its anchors: lower-case strings of which every match holds at least one
(a case-insensitive pattern's text in any case), so ``candidates(text)`` compiles and yields only
the patterns whose anchors occur in ``text``: for most text, a few substring tests.

The anchors are looked for in ``folded(text)``: lower case, with the three characters ``re``
matches to an ASCII letter while ``str.lower`` does not (``ſ`` to ``s``, ``ı`` and ``İ`` to ``i``)
spelled as that letter, so no spelling of a match hides it from its anchors.
Standard library only: used on the hot path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# What re.IGNORECASE matches to an ASCII letter that str.lower() does not make that letter.
_FOLD = str.maketrans({"ſ": "s", "ı": "i", "İ": "i"})


def folded(text: str) -> str:
    """``text`` as anchors are looked for in it (lower case; see the module's docstring)."""
    return text.lower() if text.isascii() else text.translate(_FOLD).lower()


class AnchoredPatterns:
    """Named patterns (``name -> source``) with their anchors (``name -> lower-case strings``)."""

    __slots__ = ("sources", "anchors", "_compiled")

    def __init__(self, sources: dict[str, str], anchors: dict[str, tuple[str, ...]]) -> None:
        if sources.keys() != anchors.keys() or not all(anchors.values()):
            raise ValueError("every pattern needs anchors, and every anchor set a pattern")
        self.sources = sources
        self.anchors = anchors
        self._compiled: dict[str, re.Pattern] = {}

    def compiled(self, name: str) -> re.Pattern:
        """The pattern ``name``, compiled once."""
        pattern = self._compiled.get(name)
        if pattern is None:
            pattern = self._compiled[name] = re.compile(self.sources[name])
        return pattern

    def candidates(self, text: str) -> Iterator[tuple[str, re.Pattern]]:
        """``(name, compiled pattern)``, in order, for every pattern that may match in ``text``."""
        lowered = folded(text)
        for name in self.sources:
            if any(anchor in lowered for anchor in self.anchors[name]):
                yield name, self.compiled(name)

"""What ``printf`` with a ``%s`` format, ``dirname`` and ``basename`` print from known words: pure
text, nothing read. ``printf '%s\\n' build dist | xargs rm -rf`` deletes those two;
``cd "$(dirname "$0")/.."`` moves to the directory above the script.
Standard library only: used on the hot path (``printers``).
"""

from __future__ import annotations

import re

from vectimus.analyser.expand import ansi_c

MAX_ARGS = 256
_CONVERSION = re.compile(r"%(.)", re.S)


def printf(args: list[str]) -> str | None:
    """printf FORMAT ARGS…, when the only conversions are ``%s`` and ``%%``: the format is applied
    again while arguments remain, a missing argument is empty. Options, other conversions and
    ``\\c`` (stop printing) are unknown (None)."""
    if args[:1] == ["--"]:
        args = args[1:]
    if not args or args[0].startswith("-") or len(args) > MAX_ARGS or "\\c" in args[0]:
        return None
    pieces = _CONVERSION.split(args[0])  # literal, conversion, literal, …
    conversions = pieces[1::2]
    if any(c not in ("s", "%") for c in conversions) or any("%" in p for p in pieces[::2]):
        return None  # another conversion, or a % with nothing after it
    wanted = conversions.count("s")
    values = args[1:]
    out: list[str] = []
    while True:
        for i, piece in enumerate(pieces):
            if i % 2 == 0:
                out.append(ansi_c(piece))
            elif piece == "%":
                out.append("%")
            else:
                out.append(values.pop(0) if values else "")
        if not values or not wanted:
            return "".join(out)


def dirname(args: list[str]) -> str | None:
    """dirname NAME…: each name without its last component, one a line (an option: unknown)."""
    if not args or any(a.startswith("-") for a in args):
        return None
    return "\n".join(_dirname(a) for a in args)


def _dirname(path: str) -> str:
    stripped = path.rstrip("/")
    if not stripped:
        return "/" if path else "."
    cut = stripped.rfind("/")
    return "." if cut < 0 else stripped[:cut].rstrip("/") or "/"


def basename(args: list[str]) -> str | None:
    """basename NAME [SUFFIX]: the last component, less SUFFIX (an option: unknown)."""
    if not 1 <= len(args) <= 2 or any(a.startswith("-") for a in args):
        return None
    stripped = args[0].rstrip("/")
    if not stripped:
        return "/" if args[0] else ""
    name = stripped[stripped.rfind("/") + 1:]
    suffix = args[1] if len(args) == 2 else ""
    return name[:-len(suffix)] if suffix and name.endswith(suffix) and name != suffix else name

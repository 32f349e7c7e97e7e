"""What ``printf`` with a ``%s`` format, ``dirname``, ``basename``, ``mktemp`` and ``date +FORMAT`` print from known words: pure
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


_MKTEMP_FLAGS = frozenset("dqut")


def mktemp(args: list[str], tmpdir: str | None) -> str | None:
    """The name GNU ``mktemp`` makes, its random part left as X's: TEMPLATE as written (relative to
    the working directory), or in a directory with ``-p DIR``/``--tmpdir[=DIR]`` (``$TMPDIR`` or
    /tmp without one) and ``-t`` (``$TMPDIR`` first); no TEMPLATE is ``tmp.XXXXXXXXXX`` there.
    ``tmpdir`` is ``$TMPDIR``. Another option, two templates, fewer than three X's at the end, a
    directory in a template put in a directory: unknown (mktemp refuses those)."""
    template = where = None
    in_tmp = False
    words = iter(args)
    for arg in words:
        if arg in ("--directory", "--quiet", "--dry-run") or arg.startswith("-") and len(arg) > 1 \
                and not arg.startswith("--") and set(arg[1:]) <= _MKTEMP_FLAGS:
            in_tmp = in_tmp or arg.startswith("-") and not arg.startswith("--") and "t" in arg
        elif arg == "-p":
            where = next(words, None)
            if where is None:
                return None
        elif arg.startswith("-p") and not arg.startswith("--"):
            where = arg[2:]
        elif arg == "--tmpdir" or arg.startswith("--tmpdir="):
            where = arg.partition("=")[2]
        elif arg.startswith("-") or template is not None:
            return None
        else:
            template = arg
    tmp = (tmpdir or "/tmp").rstrip("/") or "/"
    if template is None:
        return f"{(where or tmp).rstrip('/') or '/'}/tmp.XXXXXXXXXX"
    if len(template) - len(template.rstrip("X")) < 3:
        return None
    if not in_tmp and where is None:
        return template
    if "/" in template:
        return None
    folder = (tmpdir or where or "/tmp") if in_tmp else (where or tmp)
    return f"{folder.rstrip('/') or '/'}/{template}"


# date's numeric conversions, each printed as a fixed stand-in of its shape
_DATE = {"Y": "2000", "m": "01", "d": "01", "H": "00", "M": "00", "S": "00", "s": "946684800", "y": "00",
         "j": "001", "F": "2000-01-01", "T": "00:00:00", "N": "000000000", "u": "6", "w": "6", "%": "%"}
_DATE_FORMAT = re.compile(r"\+(?:%[YmdHMSsyjFTNuw%]|[\w.:,+-])*")


def date(args: list[str]) -> str | None:
    """date [-u] +FORMAT of numeric conversions and plain characters (``+%Y%m%d-%H%M%S``): a time
    stamp, no ``/`` in it, shown as a fixed one of its shape (a log or backup named by the time is a
    known file). Another option or conversion: unknown."""
    formats = [a for a in args if a not in ("-u", "--utc", "--universal")]
    if len(formats) != 1 or not _DATE_FORMAT.fullmatch(formats[0]):
        return None
    return re.sub(r"%(.)", lambda m: _DATE[m.group(1)], formats[0][1:])

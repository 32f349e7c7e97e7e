"""JSON with comments and trailing commas, as VS Code, Cursor and OpenCode write their settings.

Standard library only: used on the hot path.
"""

from __future__ import annotations

import json
from typing import Any


def strip(text: str) -> str:
    """JSON with comments and trailing commas (VS Code's) as plain JSON."""
    out, i, quoted = [], 0, False
    while i < len(text):
        ch = text[i]
        if quoted:
            out.append(ch)
            if ch == "\\" and i + 1 < len(text):
                out.append(text[i + 1])
                i += 1
            elif ch == '"':
                quoted = False
        elif ch == '"':
            quoted = True
            out.append(ch)
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
            continue
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = len(text) if end < 0 else end + 2
            continue
        elif ch in "}]":
            while out and out[-1] in " \t\r\n":
                out.pop()
            if out and out[-1] == ",":
                out.pop()
            out.append(ch)
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def loads(text: str) -> Any:
    """``json.loads`` of ``text`` after ``strip`` (and a byte-order mark, which the editors skip);
    ValueError when it is not JSON even then."""
    return json.loads(strip(text.removeprefix("\ufeff")))

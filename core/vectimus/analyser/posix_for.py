"""POSIX ``for NAME do … done`` (no ``in``, no ``;``), which tree-sitter-bash cannot parse.

POSIX and bash read ``for NAME do`` as ``for NAME; do``: the loop runs over ``"$@"``. Start-up
scripts use it (Gradle's ``gradlew`` converts its arguments with ``for arg do``), and a syntax
error makes every action of the text unknown. The grammar reports the spelling as an ERROR node that
starts with ``for`` and a name, ``do`` after the name; the text is read again with a ``;`` after the name there, and
nowhere else (never inside a string or a heredoc, which the grammar parsed as such).
Standard library only: used on the hot path, and only for a text with a syntax error.
"""

from __future__ import annotations

import re
from typing import Any

_DO = re.compile(rb"[ \t]*do(?=[ \t\n;])")  # what follows the name: blanks, then the word do
MAX_ERRORS = 64  # ERROR nodes looked at in one text


def rewritten(root: Any, data: bytes) -> str | None:
    """``data`` with ``;`` after the name of each ``for NAME do`` the grammar could not parse, or
    None when there is none (the text's other syntax errors stay as they are)."""
    cuts: list[int] = []
    stack, seen = [root], 0
    while stack and seen < MAX_ERRORS:
        node = stack.pop()
        if node.type == "ERROR":
            seen += 1
            kinds = [c.type for c in node.children]
            if kinds[:2] == ["for", "variable_name"] and kinds[2:] in ([], ["do"]) and \
                    _DO.match(data, node.children[1].end_byte):
                cuts.append(node.children[1].end_byte)
                continue
        if node.has_error:
            stack.extend(node.children)
    if not cuts:
        return None
    out = bytearray(data)
    for cut in sorted(cuts, reverse=True):
        out[cut:cut] = b";"
    return out.decode("utf-8", "surrogatepass")

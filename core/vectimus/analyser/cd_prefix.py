"""``$(cd "$(dirname "$0")/.." && pwd)``: a command substitution whose commands before the last
only change directory prints what its last command prints (``cd`` prints nothing without
``CDPATH``), so the value is known when that command's is: the directory it moved to, for ``pwd``.
Standard library only: used on the hot path.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MAX_COMMANDS = 8


def only_cd_before(text: Any, statements: list, env: Mapping[str, str]) -> bool:
    """Whether ``statements`` (a substitution's, in order) are ``cd …`` commands joined by ``;``
    or ``&&`` and then one last command; ``text(node)`` is a node's source text."""
    if env.get("CDPATH"):
        return False
    commands: list = []
    for statement in statements:
        if not _flatten(statement, commands) or len(commands) > MAX_COMMANDS:
            return False
    return len(commands) > 1 and all(
        c.type == "command" and c.child_by_field_name("name") is not None
        and text(c.child_by_field_name("name")) == "cd" for c in commands[:-1])


def _flatten(node, out: list) -> bool:
    """The commands of a list joined by ``&&`` (anything else: False)."""
    if node.type != "list":
        out.append(node)
        return True
    if any(not c.is_named and c.type != "&&" for c in node.children):
        return False
    return all(_flatten(c, out) for c in node.named_children)

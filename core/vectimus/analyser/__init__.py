"""The action analyser: a ToolCall becomes every concrete Action it would perform.

``analyse(call, places, env)`` is the whole contract the engine uses. A shell command is parsed
with tree-sitter-bash (imported on the first shell call only) and walked in execution order;
other tool kinds map onto actions directly. Input beyond the limits in ``context`` raises
``Unanalysable``, whose message the engine shows when it denies the call.
"""

from __future__ import annotations

from collections.abc import Mapping

from vectimus.analyser.context import Analysis, Scope, Unanalysable
from vectimus.model import Action, ToolCall
from vectimus.paths import Places

__all__ = ["Unanalysable", "analyse"]


def analyse(call: ToolCall, places: Places, env: Mapping[str, str]) -> list[Action]:
    """Every concrete action ``call`` would perform, in order."""
    from vectimus.analyser import tools
    an = Analysis(call, places, env)
    kind = call.kind
    try:
        if kind == "shell":
            if not isinstance(call.command, str):
                raise Unanalysable(f"{call.tool} call without a command string")
            if call.shell == "powershell":
                from vectimus.analyser import powershell
                powershell.analyse(call.command, an, Scope(places))
            else:
                from vectimus.analyser import shell
                shell.analyse_text(call.command, an, Scope(places))
        elif kind in ("file_write", "file_read", "file_delete"):
            tools.file_tool(an, kind)
        elif kind == "web_fetch":
            tools.web_fetch(an)
        elif kind == "web_search":
            tools.web_search(an)
        elif kind == "mcp":
            tools.mcp(an)
        elif kind == "spawn":
            tools.spawn(an)
        elif kind == "internal":
            return []
        else:
            tools.unknown(an)
    except RecursionError:
        raise Unanalysable("the call is nested too deeply to analyse") from None
    return an.actions

"""The action analyser: a ToolCall becomes every concrete Action it would perform.

``analyse(call, places, env)`` is the whole contract the engine uses. The stages, by module:

- ``parse``: shell text to a syntax tree (tree-sitter-bash, within a CPU-time budget);
- ``walk`` and ``expand``: the tree in execution order, words to values (``flow``: which
  branches may run and what they leave in variables, function calls; ``parameters``: parameter
  expansion operators, arrays, and the builtins that set variables; ``printers``: what a command
  prints when known, which becomes the next word or input; ``listed``: the files a listing hands
  on to the stage that opens them);
- ``dispatch`` and ``peel``: each simple command, its wrappers peeled (sudo, env, xargs, …);
- ``programs/``: what each program does (files, network, packages, git, containers, shells,
  interpreters); ``languages/``: code in other languages; ``facts/``: facts about destinations;
- ``tools``: tool calls that are not shell commands (file tools, web, MCP, subagents);
- ``runs``: files a command executes (scripts, ``./x``, make recipes, package scripts, git hooks,
  conftest files), read and analysed as part of the call; ``writes``: code being written that
  runs later, analysed now with its actions deferred;
- ``pipeline``: the concrete ``Analysis`` that wires the stages together for recursion.

Input beyond the limits in ``context`` raises ``Unanalysable``, whose message the engine shows
when it denies the call.
"""

from __future__ import annotations

from collections.abc import Mapping

from vectimus.analyser.context import Analysis, Scope, Unanalysable
from vectimus.analyser.pipeline import Pipeline
from vectimus.model import Action, ToolCall
from vectimus.paths import Places

__all__ = ["Analysis", "Unanalysable", "analyse", "analysis"]


def analyse(call: ToolCall, places: Places, env: Mapping[str, str], mcp_tables=None) -> list[Action]:
    """Every concrete action ``call`` would perform, in order.

    ``mcp_tables``: the ``mcp-tools.toml`` files of the active packs (``mcp_table.tables_of``).
    """
    return analysis(call, places, env, mcp_tables).actions


def analysis(call: ToolCall, places: Places, env: Mapping[str, str], mcp_tables=None) -> Analysis:
    """The whole analysis of ``call``: its actions, and the files it writes (``pending``); a
    shell command or file write seen before is not analysed again while nothing it looked at has
    changed (``replay``)."""
    if mcp_tables is None:
        from vectimus.analyser import replay

        return replay.analysis(call, places, env, lambda: _analysis(call, places, env, None))
    return _analysis(call, places, env, mcp_tables)


def _analysis(call: ToolCall, places: Places, env: Mapping[str, str], mcp_tables) -> Analysis:
    from vectimus.analyser import tools
    an = Pipeline(call, places, env)
    an.mcp_tables = mcp_tables
    kind = call.kind
    try:
        if kind == "shell":
            if not isinstance(call.command, str):
                raise Unanalysable(f"{call.tool} call without a command string")
            if call.shell == "powershell":
                from vectimus.analyser.languages import powershell
                powershell.analyse_text(call.command, an, Scope(places))
            else:
                from vectimus.analyser import walk
                walk.analyse_text(call.command, an, Scope(places))
            if len(an.actions) > 2:  # `rm -rf $(ls)`: every entry of the project deleted
                from vectimus.analyser.programs import every_entry
                every_entry.check(an)
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
        elif kind != "internal":
            tools.unknown(an)
    except RecursionError:
        raise Unanalysable("the call is nested too deeply to analyse") from None
    return an

"""Tool calls that are not shell commands: file tools, web tools, MCP, subagents, unknown tools.

MCP and unknown tools are read for the same kinds of fields: a command is analysed as shell code,
a path is a file action, a URL is a network action.
Standard library only: used on the hot path.
"""

from __future__ import annotations

import re
from typing import Any

from vectimus.analyser.facts.net import is_url, net_facts, remote
from vectimus.analyser.context import Analysis, Cmd, Scope, Unanalysable, Word
from vectimus.model import Action, McpFacts, NetFacts

MAX_ARGUMENT_DEPTH = 8
MAX_ARGUMENT_ITEMS = 1000
COMMAND_KEYS = {"command", "cmd", "script", "shell", "commandline", "command_line", "bash", "sh",
                "shell_command", "code_to_run"}
PATH_KEYS = {"path", "file", "file_path", "filepath", "filename", "dir", "directory", "paths", "files",
             "notebook_path", "target_file", "dir_path", "absolute_path", "relative_path", "old_path",
             "new_path"}
# Keys that name a path only sometimes ("destination": "prod"): used when the value looks like one.
MAYBE_PATH_KEYS = {"target", "source", "destination", "dest", "src", "dst", "output", "input"}
URL_KEYS = {"url", "uri", "urls", "endpoint", "href", "link"}
DELETE_WORDS = re.compile(r"delete|remove|unlink|rmdir|erase|trash|destroy|purge", re.I)
WRITE_WORDS = re.compile(r"write|create|edit|update|move|rename|save|put|append|insert|replace|patch|"
                         r"mkdir|upload|set|copy|apply|modify|overwrite|commit", re.I)


def file_tool(an: Analysis, call_kind: str) -> None:
    """Write / Read / Edit … tools: one action per path."""
    call = an.call
    cmd = Cmd(words=(), raw=call.tool, scope=Scope(an.places))
    if not call.paths:
        raise Unanalysable(f"{call.tool} call without a path")
    for path in call.paths:
        an.file(call_kind, Word(path), cmd, program=call.tool)


def web_fetch(an: Analysis) -> None:
    """WebFetch: a network action to the URL's host (``file://`` stays a URL with scheme file)."""
    url = an.call.url or ""
    if not url:
        raise Unanalysable(f"{an.call.tool} call without a URL")
    target = url if is_url(url) else "https://" + url
    an.add(Action(kind="network", resource=net_facts(target).host, program=an.call.tool,
                  net=net_facts(target), raw=url))


def web_search(an: Analysis) -> None:
    """WebSearch: a network action with scheme ``search`` and no host."""
    an.add(Action(kind="network", resource="", program=an.call.tool,
                  net=NetFacts(url=an.call.query or "", scheme="search"), raw=an.call.query or ""))


def spawn(an: Analysis) -> None:
    """A subagent: one spawn action named by its type."""
    args = an.call.arguments if isinstance(an.call.arguments, dict) else {}
    kind = args.get("subagent_type") or args.get("agent") or args.get("agent_type") or "agent"
    an.add(Action(kind="spawn", resource=str(kind), program=an.call.tool,
                  raw=(an.call.prompt or "")[:200]))


def mcp(an: Analysis) -> None:
    """An MCP tool call: the mcp action, plus what its arguments imply."""
    call = an.call
    server, tool = call.mcp_server or "", call.mcp_tool or ""
    an.add(Action(kind="mcp", resource=f"{server}/{tool}", program=tool,
                  mcp=McpFacts(server=server, tool=tool), raw=f"{server}/{tool}"))
    scan_arguments(an, call.arguments, via=f"mcp:{server}", tool=tool, default_file="read")


def unknown(an: Analysis) -> None:
    """A tool Vectimus has no mapping for: what its input shows, else one unknown action."""
    before = len(an.actions)
    scan_arguments(an, an.call.arguments, via=an.call.tool, tool=an.call.tool, default_file="write")
    if len(an.actions) == before:
        an.add(Action(kind="unknown", resource=an.call.tool, program=an.call.tool, raw=an.call.tool))


def scan_arguments(an: Analysis, arguments: Any, *, via: str, tool: str, default_file: str) -> None:
    """Analyse command, path and URL fields anywhere in a tool's arguments."""
    if DELETE_WORDS.search(tool):
        file_kind = "file_delete"
    elif WRITE_WORDS.search(tool) or default_file == "write":
        file_kind = "file_write"
    else:
        file_kind = "file_read"
    cmd = Cmd(words=(), raw=tool, scope=Scope(an.places), via=(via,))
    budget = [MAX_ARGUMENT_ITEMS]

    def visit(value: Any, key: str, depth: int) -> None:
        budget[0] -= 1
        if budget[0] < 0:
            raise Unanalysable("tool arguments too large to analyse")
        if depth > MAX_ARGUMENT_DEPTH:
            raise Unanalysable(f"tool arguments nested more than {MAX_ARGUMENT_DEPTH} levels deep")
        if isinstance(value, dict):
            for k, v in value.items():
                visit(v, str(k).lower(), depth + 1)
        elif isinstance(value, list):
            if key in COMMAND_KEYS and value and all(isinstance(v, str) for v in value):
                an.dispatch(Cmd(words=tuple(Word(v) for v in value), raw=" ".join(value),
                                scope=Scope(an.places), via=(via,)))
                return
            for item in value:
                visit(item, key, depth + 1)
        elif isinstance(value, str) and value:
            if key in COMMAND_KEYS:
                an.shell(Word(value), cmd, via, scope=Scope(an.places))
            elif is_url(value) and not value.startswith("file://"):
                remote(an, cmd, tool, Word(value))
            elif key in URL_KEYS:
                remote(an, cmd, tool, Word(value if "://" in value else "https://" + value))
            elif key in PATH_KEYS or (key in MAYBE_PATH_KEYS and value.startswith(("/", "./", "../", "~/"))):
                an.file(file_kind, Word(value.removeprefix("file://")), cmd, program=tool)
    visit(arguments, "", 0)

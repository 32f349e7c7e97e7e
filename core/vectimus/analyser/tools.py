"""Tool calls that are not shell commands: file tools, web tools, MCP, subagents, unknown tools.

MCP and unknown tools are read for the same kinds of fields: a command is analysed as shell code,
a path is a file action, a URL is a network action.
Standard library only: used on the hot path.
"""

from __future__ import annotations

import re
from typing import Any

from vectimus.analyser import writes
from vectimus.analyser.context import Analysis, Cmd, Scope, Unanalysable, Word
from vectimus.analyser.facts.net import is_url, net_facts, remote
from vectimus.model import Action, ActionKind, McpFacts, NetFacts

MAX_ARGUMENT_DEPTH = 8
MAX_ARGUMENT_ITEMS = 1000
PATH_KEYS = {"path", "file", "file_path", "filepath", "filename", "dir", "directory", "paths", "files",
             "notebook_path", "target_file", "dir_path", "absolute_path", "relative_path", "old_path",
             "new_path"}
# Keys that name a path only sometimes ("destination": "prod"): used when the value looks like one.
MAYBE_PATH_KEYS = {"target", "source", "destination", "dest", "src", "dst", "output", "input"}
URL_KEYS = {"url", "uri", "urls", "endpoint", "href", "link"}
# What an MCP tool's name and arguments say it does (compiled through re's cache when one is called).
DELETE_WORDS = r"(?i)delete|remove|unlink|rmdir|erase|trash|destroy|purge"
WRITE_WORDS = (r"(?i)write|create|edit|update|move|rename|save|put|append|insert|replace|patch|"
               r"mkdir|upload|set|copy|apply|modify|overwrite|commit|push")
READ_WORDS = (r"(?i)^(?:get|read|list|search|find|fetch|show|view|cat|head|tail|open|load|describe|"
              r"stat|info|tree|grep|glob|ls)(?:_|$)|_(?:info|contents?|tree|list)$")
_SQL_LIKE = (r"(?is)^\s*(?:--[^\n]*\n\s*|/\*.*?\*/\s*)*(?:select|insert|update|delete|drop|truncate|alter|"
             r"create|grant|revoke|with|copy|merge|replace|call|do|exec|execute|explain|begin|"
             r"set|show|vacuum|attach|pragma)\b")


def file_tool(an: Analysis, call_kind: ActionKind) -> None:
    """Write / Read / Edit … tools: one action per path."""
    call = an.call
    cmd = Cmd(words=(), raw=call.tool, scope=Scope(an.places))
    if not call.paths:
        raise Unanalysable(f"{call.tool} call without a path")
    for path in call.paths:
        target = an.file(call_kind, Word(path), cmd, program=call.tool)
        if call_kind == "file_read":
            _search(an, cmd, path, target)
    if call_kind == "file_write":
        writes.tool_write(an)


def _search(an: Analysis, cmd: Cmd, path: str, target) -> None:
    """A search tool (Grep, Glob) that reaches credentials: over the home directory (or above it),
    or with a glob that picks credential files (``.env*``, ``*.pem``) — a read of secrets."""
    from vectimus.analyser.secret_globs import selects_secret

    args = an.call.arguments if isinstance(an.call.arguments, dict) else {}
    globs = [g for g in (args.get("glob"), args.get("include"),
                         args.get("pattern") if "glob" in an.call.tool.lower() else None) if isinstance(g, str) and g]
    home = an.places.home
    above_home = target.is_home or target.is_root or (target.path and home.startswith(target.path.rstrip("/") + "/"))
    for glob in globs:
        if selects_secret(glob):
            joined = glob if glob.startswith("/") else f"{path.rstrip('/')}/{glob}"
            an.add(Action(kind="file_read", resource=joined, program=an.call.tool, raw=f"{an.call.tool} {glob}",
                          target=target._replace(path=joined, is_secret=True, is_glob=True)))
            return
    if above_home and not globs:
        an.add(Action(kind="file_read", resource=target.path, program=an.call.tool, raw=an.call.tool,
                      target=target._replace(is_secret=True)))


def web_fetch(an: Analysis) -> None:
    """WebFetch: a network action to the URL's host (``file://`` stays a URL with scheme file)."""
    url = an.call.url or ""
    if not url:
        raise Unanalysable(f"{an.call.tool} call without a URL")
    target = url if is_url(url) else "https://" + url
    facts = net_facts(target)
    kinds: tuple[str, ...] = ()
    if "?" in target or "@" in target:
        from vectimus.analyser.facts import secrets

        kinds, leak = secrets.leaks(facts.host, Word(target), (), ())
        facts = facts._replace(sends_secret=leak, sends_data=leak)
    an.add(Action(kind="network", resource=facts.host, program=an.call.tool, net=facts, raw=url, secrets=kinds))


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
    """An MCP tool call: the mcp action, plus what its arguments do (by the server's tool table)."""
    from vectimus.analyser import mcp_table

    call = an.call
    server, tool = call.mcp_server or "", call.mcp_tool or ""
    meaning = mcp_table.meaning(server, tool, an.mcp_tables)
    at = len(an.actions)
    an.add(Action(kind="mcp", resource=f"{server}/{tool}", program=tool,
                  mcp=McpFacts(server=server, tool=tool), raw=f"{server}/{tool}"))
    sent = scan_arguments(an, call.arguments, via=f"mcp:{server}", tool=tool, meaning=meaning,
                          default_file="both")
    if sent:
        from vectimus.analyser.facts import secrets

        kinds = secrets.kinds(sent)
        if kinds:
            an.actions[at] = an.actions[at]._replace(secrets=kinds)


def unknown(an: Analysis) -> None:
    """A tool Vectimus has no mapping for: what its input shows, else one unknown action."""
    from vectimus.analyser import mcp_table

    before = len(an.actions)
    scan_arguments(an, an.call.arguments, via=an.call.tool, tool=an.call.tool, meaning=mcp_table.UNKNOWN,
                   default_file="write")
    if len(an.actions) == before:
        an.add(Action(kind="unknown", resource=an.call.tool, program=an.call.tool, raw=an.call.tool))


_FILE_KINDS: dict[str, tuple[ActionKind, ...]] = {
    "read": ("file_read",), "write": ("file_write",), "delete": ("file_delete",), "both": ("file_read", "file_write")}


def _file_kinds(meaning, tool: str, default_file: str) -> tuple[ActionKind, ...]:
    if meaning.files:
        return _FILE_KINDS[meaning.files]
    if re.search(DELETE_WORDS, tool):
        return ("file_delete",)
    if re.search(WRITE_WORDS, tool):
        return ("file_write",)
    if re.search(READ_WORDS, tool):
        return ("file_read",)
    return _FILE_KINDS[default_file]


def scan_arguments(an: Analysis, arguments: Any, *, via: str, tool: str, meaning, default_file: str) -> list[str]:
    """Analyse the command, SQL, path and URL fields anywhere in a tool's arguments.

    Returns the text of the arguments whose content leaves the machine (``meaning.text``), for the
    caller to scan for credentials.
    """
    file_kinds = _file_kinds(meaning, tool, default_file)
    places = an.places._replace(cwd=an.places.project) if meaning.remote else an.places
    cmd = Cmd(words=(), raw=tool, scope=Scope(places), via=(via,))
    budget = [MAX_ARGUMENT_ITEMS]
    sent: list[str] = []
    path_keys = PATH_KEYS | meaning.paths

    def argv_of(value: dict) -> list[Word]:
        """An argument vector spread over ``meaning.argv`` keys (one of them a list), else []."""
        words: list[Word] = []
        if not any(isinstance(v, list) for k, v in value.items() if str(k).lower() in meaning.argv):
            return words
        for key in meaning.argv:
            part = next((v for k, v in value.items() if str(k).lower() == key), None)
            if isinstance(part, str) and part:
                words.extend(Word(w) for w in part.split())
            elif isinstance(part, list) and all(isinstance(v, str) for v in part):
                words.extend(Word(v) for v in part)
        return words

    def visit(value: Any, key: str, depth: int) -> None:
        budget[0] -= 1
        if budget[0] < 0:
            raise Unanalysable("tool arguments too large to analyse")
        if depth > MAX_ARGUMENT_DEPTH:
            raise Unanalysable(f"tool arguments nested more than {MAX_ARGUMENT_DEPTH} levels deep")
        if isinstance(value, dict):
            words = argv_of(value) if meaning.argv else []
            if words:
                program = [Word(meaning.program)] if meaning.program and words[0].text != meaning.program else []
                an.dispatch(Cmd(words=(*program, *words), raw=" ".join(w.text for w in words),
                                scope=Scope(an.places), via=(via,)))
            for k, v in value.items():
                if not (words and str(k).lower() in meaning.argv):
                    visit(v, str(k).lower(), depth + 1)
        elif isinstance(value, list):
            if key in meaning.shell and value and all(isinstance(v, str) for v in value):
                an.dispatch(Cmd(words=tuple(Word(v) for v in value), raw=" ".join(value),
                                scope=Scope(an.places), via=(via,)))
                return
            for item in value:
                visit(item, key, depth + 1)
        elif isinstance(value, str) and value:
            if key in meaning.text:
                sent.append(value)
            if key in meaning.shell:
                an.shell(Word(value), cmd, via, scope=Scope(an.places))
            elif key in meaning.sql and (meaning.known or re.match(_SQL_LIKE, value)):
                _sql(an, cmd, value, meaning)
            elif is_url(value) and not value.startswith("file://"):
                remote(an, cmd, tool, Word(value))
            elif key in URL_KEYS:
                remote(an, cmd, tool, Word(value if "://" in value else "https://" + value))
            elif key in path_keys or (key in MAYBE_PATH_KEYS and value.startswith(("/", "./", "../", "~/"))):
                path = value.removeprefix("file://")
                if meaning.remote:
                    path = path.lstrip("/")
                for kind in file_kinds:
                    an.file(kind, Word(path), cmd, program=tool)
    visit(arguments, "", 0)
    return sent


def _sql(an: Analysis, cmd: Cmd, text: str, meaning) -> None:
    """SQL an MCP tool runs: one query action per statement (COPY … PROGRAM analysed as shell)."""
    from vectimus.analyser.facts.sql import statements
    from vectimus.analyser.programs.databases import record

    for stmt in statements(text, meaning.dialect, meaning.engine or "sql"):
        record(an, cmd, cmd.raw, stmt.facts, dynamic=not stmt.parsed)
        if stmt.program:
            an.shell(Word(stmt.program), cmd, f"{meaning.engine or 'sql'} COPY PROGRAM")

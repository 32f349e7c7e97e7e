"""Expand a ToolCall into the concrete actions it would perform (first, simple mapping)."""

from __future__ import annotations

import shlex
from collections.abc import Mapping

from vectimus.model import Action, McpFacts, NetFacts, ToolCall
from vectimus.paths import Places, classify

OPERATORS = {";", "&&", "||", "|", "&", "\n"}
WRITE_REDIRECTS = {">", ">>", "&>", ">|"}


class Unanalysable(Exception):
    """The call cannot be analysed within Vectimus's limits; it is denied."""


def _file(kind: str, path: str, places: Places, raw: str = "") -> Action:
    facts = classify(path, places)
    return Action(kind=kind, resource=facts.path, target=facts, raw=raw or path)


def _shell(command: str, places: Places) -> list[Action]:
    lexer = shlex.shlex(command, posix=True, punctuation_chars=";&|<>")
    lexer.whitespace_split = True
    try:
        words = list(lexer)
    except ValueError as exc:
        raise Unanalysable(f"cannot parse shell command: {exc}") from exc
    actions: list[Action] = []
    segment: list[str] = []
    for word in [*words, ";"]:
        if word in OPERATORS:
            actions.extend(_segment(segment, places))
            segment = []
        else:
            segment.append(word)
    return actions


def _segment(words: list[str], places: Places) -> list[Action]:
    actions, argv = [], []
    it = iter(words)
    for word in it:
        if word in WRITE_REDIRECTS:
            target = next(it, "")
            if target and not target.startswith("/dev/"):
                actions.append(_file("file_write", target, places))
        else:
            argv.append(word)
    while argv and "=" in argv[0] and not argv[0].startswith("="):
        argv.pop(0)
    if argv:
        program = argv[0].rsplit("/", 1)[-1]
        flags, args = [], []
        for word in argv[1:]:
            if word.startswith("--") and len(word) > 2:
                flags.append(word[2:].split("=", 1)[0])
            elif word.startswith("-") and len(word) > 1:
                flags.extend(word[1:])
            else:
                args.append(word)
        actions.insert(0, Action(kind="exec", resource=program, program=program,
                                 program_path=argv[0] if "/" in argv[0] else "",
                                 subcommand=args[0] if args else "", args=tuple(args),
                                 flags=tuple(flags), raw=" ".join(words)))
    return actions


def analyse(call: ToolCall, places: Places, env: Mapping[str, str]) -> list[Action]:
    """Every action ``call`` would perform."""
    if call.kind == "shell":
        return _shell(call.command or "", places)
    if call.kind in ("file_write", "file_read", "file_delete"):
        return [_file(call.kind, p, places) for p in call.paths]
    if call.kind == "web_fetch":
        return [Action(kind="network", resource=call.url or "", net=NetFacts(url=call.url or ""),
                       raw=call.url or "")]
    if call.kind == "mcp":
        name = f"{call.mcp_server}/{call.mcp_tool}"
        return [Action(kind="mcp", resource=name, mcp=McpFacts(server=call.mcp_server or "",
                                                               tool=call.mcp_tool or ""), raw=name)]
    if call.kind == "spawn":
        return [Action(kind="spawn", resource="agent", raw=call.prompt or "")]
    if call.kind in ("internal", "web_search"):
        return []
    return [Action(kind="unknown", resource=call.tool, raw=call.tool)]

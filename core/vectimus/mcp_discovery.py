"""Find every MCP server the agents would start here, and the project's list of allowed servers.

Discovery reads the MCP config files every installed adapter declares (``mcp_config_files``,
project and user level; ``plugins.declared_files``) and is standard library only (``json``,
``tomllib``), so an adapter may consult it on the hook path to resolve a tool name. Editing the allow-list (``allow`` / ``deny``) uses tomlkit, imported lazily, so the
comments and layout of ``.vectimus/config.toml`` survive.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from collections.abc import Iterator, Mapping
from typing import Any

from vectimus import jsonc
from vectimus.locations import project_config
from vectimus.records import Record

#: What an MCP server name may look like before it is written into a config or a policy.
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")  # whole name: fullmatch


class McpServer(Record):
    """One MCP server declaration."""

    name: str
    declared_in: str          # the file, as shown to people: ".mcp.json", "~/.cursor/mcp.json"
    agent: str                # the agent whose config declares it
    command: str = ""
    args: tuple[str, ...] = ()
    url: str = ""
    enabled: bool = True

    @property
    def target(self) -> str:
        """The command line or URL the server runs as."""
        return self.url or " ".join([self.command, *self.args]).strip()

    @property
    def valid(self) -> bool:
        """True when the name may go into the allow-list."""
        return bool(NAME_PATTERN.fullmatch(self.name))


class Source(Record):
    """A file where one agent declares MCP servers (its adapter's ``mcp_config_files``)."""

    agent: str
    path: str                 # relative to the project, or starting with "~/"


def sources() -> list[Source]:
    """Every installed adapter's MCP config files: the project's first, then the user's (the order
    of ``vectimus mcp list``)."""
    from vectimus.plugins import declared_files

    found = [Source(agent, path) for agent, path in declared_files()["mcp_config_files"]]
    return sorted(found, key=lambda s: (s.path.startswith("~/"), s.agent))


def validate_name(name: str) -> str:
    """``name`` unchanged when it is a valid MCP server name, else ValueError saying why."""
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise ValueError(
            f"invalid MCP server name {name!r}: use 1-64 letters, digits, '_', '.' or '-', "
            "starting with a letter or digit")
    return name


def source_path(source: Source, project: Path, home: Path) -> Path:
    """The absolute file a source names for this project and home."""
    if source.path.startswith("~/"):
        return home / source.path[2:]
    return project / source.path


def discover(project: Path, home: Path | None = None, *, agents: tuple[str, ...] | None = None,
             problems: list[str] | None = None) -> list[McpServer]:
    """Every MCP server declared for ``project`` in the agents' project and user config files.

    ``agents`` limits the search to those agents' files. Files that cannot be read are skipped;
    a message for each goes to ``problems`` when given.
    """
    project = Path(project).resolve()
    home = Path(home) if home is not None else home_of(os.environ)
    found: list[McpServer] = []
    for source in sources():
        if agents is not None and source.agent not in agents:
            continue
        path = source_path(source, project, home)
        try:
            if not path.is_file():
                continue
            found.extend(_read_source(source, path, project))
        except (OSError, ValueError, tomllib.TOMLDecodeError) as exc:
            if problems is not None:
                problems.append(f"{source.path}: {exc}")
    return found


def _read_source(source: Source, path: Path, project: Path) -> Iterator[McpServer]:
    """The servers one file declares, whichever agent's shape it has: TOML ``[mcp_servers.<name>]``
    (Codex); JSON ``mcpServers`` or ``servers`` tables, OpenCode's ``mcp`` (an argv ``command``),
    and ``projects.<path>.mcpServers`` for this project (``~/.claude.json``)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".toml":
        yield from _servers(tomllib.loads(text).get("mcp_servers"), source.path, source.agent)
        return
    data = jsonc.loads(text) if text.strip() else {}
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    for key in ("mcpServers", "servers", "mcp"):
        yield from _servers(data.get(key), source.path, source.agent)
    entry = _project_entry(data.get("projects"), project)
    if entry is not None:
        yield from _servers(entry.get("mcpServers"), f"{source.path} (projects.{project})", source.agent)


def _project_entry(projects: Any, project: Path) -> dict | None:
    """The ``projects.<path>`` entry of ``~/.claude.json`` that belongs to ``project``."""
    if not isinstance(projects, dict):
        return None
    for key, entry in projects.items():
        if isinstance(entry, dict) and isinstance(key, str):
            try:
                if Path(key).resolve() == project:
                    return entry
            except (OSError, ValueError):
                continue
    return None


def _servers(table: Any, declared_in: str, agent: str) -> Iterator[McpServer]:
    if not isinstance(table, dict):
        return
    for name, spec in table.items():
        if not isinstance(spec, dict):
            continue
        command, args = spec.get("command"), spec.get("args")
        if isinstance(command, list) and command:  # OpenCode: "command": [argv…]
            command, args = command[0], command[1:]
        url = next((spec[k] for k in ("url", "serverUrl", "httpUrl") if isinstance(spec.get(k), str)), "")
        yield McpServer(
            name=str(name), declared_in=declared_in, agent=agent,
            command=command if isinstance(command, str) else "",
            args=tuple(str(a) for a in args) if isinstance(args, list) else (),
            url=url,
            enabled=spec.get("enabled", True) is not False and spec.get("disabled", False) is not True,
        )


def home_of(env: Mapping[str, str]) -> Path:
    """The user's home in environment ``env`` (``$HOME``, else the account's): where ``~/`` sources are."""
    return Path(env.get("HOME") or os.path.expanduser("~"))


def declared_tool(tool: str, project: Path, env: Mapping[str, str], agent: str,
                  spellings: tuple[str, ...]) -> tuple[str, str] | None:
    """``(server, tool)`` when ``tool`` is how ``agent`` names a tool of a server it declares
    (in ``project`` and the home of the call's environment ``env``).

    ``spellings`` are the agent's prefixes with ``{server}`` in them (``"{server}-"``,
    ``"mcp_{server}_"``); the longest declared server that fits wins (``a_b_c`` is server ``a_b``'s
    tool ``c`` when ``a_b`` is declared).
    """
    best: tuple[int, str, str] | None = None  # (prefix length, server, tool)
    for server in discover(Path(project), home_of(env), agents=(agent,)):
        for spelling in spellings:
            prefix = spelling.format(server=server.name)
            if tool.startswith(prefix) and len(tool) > len(prefix) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), server.name, tool[len(prefix):])
    return (best[1], best[2]) if best else None


# --------------------------------------------------------------------------- the allow-list

def config_path(project: Path) -> Path:
    """The project's Vectimus config file, which holds ``[mcp] allowed``."""
    return project_config(Path(project))


def allowed_servers(project: Path) -> list[str]:
    """The MCP servers agents may call here: ``[mcp] allowed`` as the engine resolves it."""
    from vectimus.config import load_config

    return list(load_config(Path(project)).mcp_allowed)


def allow(project: Path, names: list[str]) -> list[str]:
    """Add ``names`` to the project's ``[mcp] allowed`` list; return the list written.

    Every name is validated first: one invalid name changes nothing.
    """
    for name in names:
        validate_name(name)
    return _edit_allowed(project, lambda current: current + [n for n in dict.fromkeys(names)
                                                             if n not in current])


def deny(project: Path, names: list[str]) -> list[str]:
    """Remove ``names`` from the project's ``[mcp] allowed`` list; return the list written."""
    for name in names:
        validate_name(name)
    return _edit_allowed(project, lambda current: [n for n in current if n not in names])


def _edit_allowed(project: Path, change) -> list[str]:
    """Rewrite ``[mcp] allowed`` in place (comments kept; a trusted config stays trusted)."""
    import tomlkit

    from vectimus.config_edit import edit_project_config, table

    written: list[str] = []

    def mutate(doc) -> None:
        mcp = table(doc, "mcp")
        existing = mcp.get("allowed")
        updated = change([str(n) for n in existing] if isinstance(existing, list) else [])
        if isinstance(existing, list):
            existing.clear()
            existing.extend(updated)
        else:
            array = tomlkit.array()
            array.extend(updated)
            mcp["allowed"] = array
        written.extend(updated)

    edit_project_config(Path(project), mutate)
    return written

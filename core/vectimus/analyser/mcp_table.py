"""What a well-known MCP server's tool does with its arguments: data read from ``mcp-tools.toml``.

The bundled table ships in the ``mcp-safety`` pack; any active pack may add an ``mcp-tools.toml``
of its own (see that file for the format). ``meaning(server, tool, tables)`` is the entry that
applies, or the conservative default for a tool no table describes.
Standard library only: used on the hot path (read only for MCP calls, cached by file and mtime).
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from pathlib import Path

from vectimus.records import Record
from vectimus import world

SHELL_KEYS = frozenset({"command", "cmd", "script", "shell", "commandline", "command_line", "bash", "sh",
                        "shell_command", "code_to_run"})
SQL_KEYS = frozenset({"sql", "query", "statement", "statements"})
TEXT_KEYS = frozenset({"body", "text", "message", "content", "comment", "description", "title", "markdown",
                       "note", "summary", "data", "payload", "blocks", "commit_message", "value"})
FILE_VERBS = ("read", "write", "delete")


class Meaning(Record):
    """What one MCP tool's arguments mean."""

    family: str = ""
    engine: str = ""
    dialect: str | None = None
    files: str = ""                   # read | write | delete | "" (by the tool's name, else both)
    sql: frozenset = frozenset()      # keys holding SQL (any SQL-looking text when family is "")
    shell: frozenset = SHELL_KEYS
    argv: tuple[str, ...] = ()       # used when one of them holds a list
    program: str = ""                 # the program an argv is given to (kubectl), when it is left out
    paths: frozenset = frozenset()
    remote: bool = False
    text: frozenset = TEXT_KEYS

    @property
    def known(self) -> bool:
        return bool(self.family)


UNKNOWN = Meaning(sql=SQL_KEYS)
_cache: dict[str, tuple[int, dict]] = {}
MAX_TABLE_BYTES = 1024 * 1024


def _load(path: Path) -> dict:
    """The ``servers`` table of one file (cached by modification time; unreadable means empty)."""
    key = str(path)
    try:
        mtime = world.stat(key).st_mtime_ns
    except OSError:
        return {}
    cached = _cache.get(key)
    if cached is not None and cached[0] == mtime:
        return cached[1]
    servers = tomllib.loads(world.read_text(key, MAX_TABLE_BYTES)).get("servers", {})
    if not isinstance(servers, dict):
        raise ValueError(f"{path}: [servers] must be a table")
    _cache[key] = (mtime, servers)
    return servers


def _matches(server: str, names) -> bool:
    lowered = server.lower()
    parts = set(re.split(r"[-_.]", lowered))
    return any(n == lowered or n in parts for n in (str(x).lower() for x in names))


def _keys(entry: dict, name: str, default: frozenset = frozenset()) -> frozenset:
    value = entry.get(name)
    if value is None:
        return default
    return frozenset(str(v).lower() for v in (value if isinstance(value, list) else [value]))


def _order(entry: dict, name: str):
    value = entry.get(name)
    listed = [str(v).lower() for v in (value if isinstance(value, list) else [])]
    return lambda key: listed.index(key) if key in listed else len(listed)


def bundled() -> tuple[Path, ...]:
    """The table the bundled ``mcp-safety`` pack ships."""
    from vectimus.policies import bundled_packs_dir

    return (bundled_packs_dir() / "mcp-safety" / "mcp-tools.toml",)


def tables_of(packs) -> tuple[Path, ...]:
    """The tables of the active packs, bundled ones first. A project's own packs are left out: a
    repository may add policies, but not redefine what a server's tools do (that could loosen)."""
    order = {"bundled": 0, "update": 0}
    chosen = sorted((p for p in packs if p.origin != "project"), key=lambda p: order.get(p.origin, 1))
    return tuple(p.path / "mcp-tools.toml" for p in chosen)


def meaning(server: str, tool: str, tables: tuple[Path, ...] | None = None) -> Meaning:
    """The meaning of ``server``'s ``tool``: the first table entry that matches, else the default.

    ``tables`` (later ones override a family of the same name) default to the bundled one.
    """
    families: dict[str, dict] = {}
    tables = bundled() if tables is None else tables
    for path in tables:
        families.update(_load(path))
    for family, spec in families.items():
        if not isinstance(spec, dict) or not _matches(server, spec.get("names", [family])):
            continue
        for entry in spec.get("tools", []):
            patterns = entry.get("match", "*")
            patterns = patterns if isinstance(patterns, list) else [patterns]
            if not any(fnmatch.fnmatchcase(tool.lower(), str(p).lower()) for p in patterns):
                continue
            files = str(entry.get("files", ""))
            if files and files not in FILE_VERBS:
                raise ValueError(f"mcp-tools: {family}: files must be one of {', '.join(FILE_VERBS)}")
            return Meaning(family=family, engine=str(spec.get("engine", family)), dialect=spec.get("dialect"),
                           files=files, sql=_keys(entry, "sql"), shell=_keys(entry, "shell", SHELL_KEYS),
                           argv=tuple(sorted(_keys(entry, "argv"), key=_order(entry, "argv"))), program=str(entry.get("program", "")), paths=_keys(entry, "paths"),
                           remote=bool(entry.get("remote", False)), text=_keys(entry, "text"))
        return Meaning(family=family, engine=str(spec.get("engine", family)), dialect=spec.get("dialect"),
                       text=frozenset())
    return UNKNOWN

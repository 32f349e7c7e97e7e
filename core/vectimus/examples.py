"""Policy examples: the must-block and must-allow cases kept beside each pack's policies.

``<pack>/cases.toml`` has one table per policy id with ``block`` and ``allow`` lists. An example is
a shell command string (run through Claude Code's Bash tool) or a table: ``tool`` (a Claude Code
tool name, default ``Bash``) plus that tool's input fields, and optionally ``env`` (extra
environment for the hook, e.g. ``VECTIMUS_GROUPS``), ``permission_mode`` and ``agent``. Relative
``file_path``/``path``/``notebook_path`` values are relative to the project; ``~/`` is the home.
"""

from __future__ import annotations

import json
import re
import threading
import tomllib
import uuid
from typing import Any
from dataclasses import dataclass, field
from pathlib import Path

from vectimus.layout import PROJECT_DIR, RECEIPTS

PATH_KEYS = ("file_path", "path", "notebook_path")
META_KEYS = ("tool", "env", "permission_mode", "agent")


@dataclass(frozen=True)
class Example:
    """One must-block or must-allow example of one policy."""

    policy: str
    expect: str  # "block" | "allow"
    spec: str | dict[str, Any]   # a shell command, or a tool and its input
    pack: str = ""

    @property
    def label(self) -> str:
        """A short readable label for reports and test ids."""
        if isinstance(self.spec, str):
            return self.spec
        tool = self.spec.get("tool", "Bash")
        detail = next((self.spec[k] for k in (*PATH_KEYS, "command", "url") if k in self.spec), "")
        return f"{tool} {detail}".strip()

    @property
    def env(self) -> dict[str, str]:
        return dict(self.spec.get("env", {})) if isinstance(self.spec, dict) else {}

    def event(self, project: Path, home: Path, tool_use_id: str = "") -> dict:
        """The Claude Code PreToolUse event for this example in ``project`` (a new tool-use id unless given)."""
        spec = {"command": self.spec} if isinstance(self.spec, str) else dict(self.spec)
        tool = spec.pop("tool", "Bash")
        mode = spec.pop("permission_mode", "default")
        for key in ("env", "agent"):
            spec.pop(key, None)
        for key in PATH_KEYS:
            if isinstance(spec.get(key), str):
                value = spec[key]
                spec[key] = str(home / value[2:]) if value.startswith("~/") else str(project / value)
        if tool in ("Bash", "PowerShell"):
            spec.setdefault("description", "policy example")
        return {"session_id": "vectimus-examples", "transcript_path": str(home / ".claude" / "x.jsonl"),
                "cwd": str(project), "permission_mode": mode, "hook_event_name": "PreToolUse",
                "tool_name": tool, "tool_input": spec,
                "tool_use_id": tool_use_id or f"toolu_example_{uuid.uuid4().hex[:16]}"}


@dataclass
class CaseFile:
    """The examples of one pack, by policy id."""

    path: Path
    examples: list[Example] = field(default_factory=list)


def read_cases(path: Path, pack: str = "") -> CaseFile:
    """Read a pack's ``cases.toml``."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    cases = CaseFile(path)
    for policy_id, table in data.items():
        if not isinstance(table, dict):
            raise ValueError(f"{path}: [{policy_id}] must be a table")
        for expect in ("block", "allow"):
            for spec in table.get(expect, []):
                if not isinstance(spec, (str, dict)):
                    raise ValueError(f"{path}: {policy_id}.{expect} holds a {type(spec).__name__}")
                cases.examples.append(Example(policy_id, expect, spec, pack))
    return cases


def case_lines(path: Path) -> dict[str, int]:
    """The line of each ``[policy-id]`` table in a ``cases.toml``."""
    found: dict[str, int] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = re.match(r'\s*\[\s*["\']?([^\]"\']+)["\']?\s*\]\s*(#.*)?$', line)
        if match:
            found.setdefault(match.group(1).strip(), number)
    return found


def example_line(lines: list[str], tables: dict[str, int], example: Example) -> int:
    """The line of ``cases.toml`` (given as ``lines``, with ``case_lines``) that holds ``example``;
    its policy's table line when the text cannot be found as written."""
    start = tables.get(example.policy, 0)
    spec = example.spec
    text = spec if isinstance(spec, str) else next(
        (spec[k] for k in (*PATH_KEYS, "command", "url") if isinstance(spec.get(k), str)), "")
    wanted = {text, json.dumps(text)[1:-1]} - {""}
    for number in range(max(start, 1), len(lines) + 1):
        if number > start and re.match(r"\s*\[", lines[number - 1]):
            break
        if any(w in lines[number - 1] for w in wanted):
            return number
    return start


def pack_examples(pack_dir: Path) -> list[Example]:
    """Every example of one pack directory (none when it has no cases.toml)."""
    path = pack_dir / "cases.toml"
    return read_cases(path, pack_dir.name).examples if path.exists() else []


def approved_mcp_servers(examples: list[Example]) -> list[str]:
    """The MCP servers the allow examples call: the example project approves them, as a user would
    before an agent may call a server at all (block examples of unapproved servers name others)."""
    from vectimus.toolmap import split_mcp_name

    found = []
    for example in examples:
        tool = example.spec.get("tool", "") if isinstance(example.spec, dict) else ""
        named = split_mcp_name(tool)
        if example.expect == "allow" and named and named[0] not in found:
            found.append(named[0])
    return found


class Recorded:
    """What a project's receipts recorded for each tool call, by ``tool_use`` id (read as they grow).

    A call the agent was let through may still have been decided by a policy (an ``observe``
    verdict): only the receipt tells, so examples are judged on it when the answer was allow.
    """

    def __init__(self, project: Path):
        self.directory = project / PROJECT_DIR / RECEIPTS
        self.read: dict[Path, int] = {}
        self.seen: dict[str, tuple[str, str]] = {}
        self.lock = threading.Lock()

    def get(self, tool_use: str) -> tuple[str, str] | None:
        """The (decision, reason) recorded for ``tool_use``, or None."""
        from vectimus.receipts.chain import SEGMENT_GLOB
        from vectimus.receipts.envelope import EnvelopeError, payload_of

        with self.lock:
            for path in sorted(self.directory.glob(SEGMENT_GLOB)):
                with open(path, "rb") as fh:
                    fh.seek(self.read.get(path, 0))
                    data = fh.read()
                complete = data[:data.rfind(b"\n") + 1]
                self.read[path] = self.read.get(path, 0) + len(complete)
                for line in complete.splitlines():
                    try:
                        body = json.loads(payload_of(line))
                    except (EnvelopeError, ValueError):
                        continue
                    if isinstance(body, dict):
                        self.seen[str(body.get("tool_use"))] = (str(body.get("decision")), str(body.get("reason", "")))
            return self.seen.get(tool_use)


def judge(example: Example, decision: str, reason: str) -> str | None:
    """Why the hook's decision does not fit the example, or None when it does.

    A policy at the ``observe`` level decides without stopping the agent: its block examples pass
    when the receipt records ``observe`` naming it.
    """
    blocked = decision in ("deny", "ask", "observe")
    if example.expect == "block":
        if not blocked:
            return f"expected a block by {example.policy}, got {decision}"
        if example.policy not in reason:
            return f"blocked, but not by {example.policy}: {reason}"
        return None
    if blocked:
        return f"expected allow, got {decision}: {reason}"
    return None

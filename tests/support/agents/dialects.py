"""How each agent's model spells the same call, and how each agent reports a refused one.

The scenarios are written once (``shell``, ``write``, ``read``, ``mcp``); a ``Dialect`` turns
them into the tool calls that agent's model would make, with that agent's tool names and
argument names, and knows how the agent shows the model that its hook refused a call.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.agents.mockmodel import ToolResult, ToolUse

POLICY_ID = re.compile(r"vectimus-[a-z]+-\d{3}")


class Dialect:
    """One agent's vocabulary. ``root`` is the project (some agents want absolute paths)."""

    #: What the agent puts in front of a hook's reason when it refuses a call (None: is_error says).
    refused_marker: str | None = None
    #: The recursive-delete flags the agent itself lets through to its hook.
    rm_flags = "-rf"
    rm_flags_spelled_otherwise = "-fr"

    def __init__(self, root: Path):
        self.root = root

    def shell(self, command: str) -> ToolUse:
        raise NotImplementedError

    def write(self, path: str, content: str) -> ToolUse:
        """Create ``path`` (relative to the project) with ``content`` using the agent's file tool."""
        raise NotImplementedError

    def read(self, path: str) -> ToolUse:
        raise NotImplementedError

    def read_env_file(self) -> ToolUse:
        """How the model reads the project's ``.env`` where the agent's hook gets to judge it."""
        return self.read(".env")

    def mcp(self, server: str, tool: str, arguments: dict) -> list[list[ToolUse]]:
        """The steps that call an MCP tool (some agents must load it first)."""
        raise NotImplementedError

    def refused(self, result: ToolResult) -> bool:
        """Whether what came back to the model says the hook refused the call."""
        if self.refused_marker is None:
            return result.is_error
        return self.refused_marker in result.text


class Claude(Dialect):
    def shell(self, command):
        return ToolUse("Bash", {"command": command, "description": "run it"})

    def write(self, path, content):
        return ToolUse("Write", {"file_path": str(self.root / path), "content": content})

    def read(self, path):
        return ToolUse("Read", {"file_path": str(self.root / path)})

    def mcp(self, server, tool, arguments):
        return [[ToolUse(f"mcp__{server}__{tool}", arguments)]]


class Codex(Dialect):
    refused_marker = "blocked by PreToolUse hook"
    # Codex refuses `rm -f`-style commands itself, before any hook: the hook is proved with -r.
    rm_flags = rm_flags_spelled_otherwise = "-r"

    def shell(self, command):
        return ToolUse("exec_command", {"cmd": command})

    def write(self, path, content):
        lines = "".join(f"+{line}\n" for line in content.splitlines())
        return ToolUse("apply_patch", f"*** Begin Patch\n*** Add File: {path}\n{lines}*** End Patch\n")

    def read(self, path):
        return self.shell(f"cat {path}")  # Codex has no hookable read tool

    def mcp(self, server, tool, arguments):
        return [[ToolUse("tool_search", {"query": f"{server} {tool}"}, hooked=False)],
                [ToolUse(tool, arguments, namespace=f"mcp__{server}")]]


class Gemini(Dialect):
    refused_marker = "Tool execution blocked:"

    def shell(self, command):
        return ToolUse("run_shell_command", {"command": command, "description": "run it"})

    def write(self, path, content):
        return ToolUse("write_file", {"file_path": path, "content": content})

    def read(self, path):
        return ToolUse("read_file", {"file_path": path})

    def read_env_file(self):
        # Gemini CLI's file tools refuse paths through .env, .git or node_modules before any hook.
        return self.shell("cat .env")

    def mcp(self, server, tool, arguments):
        return [[ToolUse(f"mcp_{server}_{tool}", arguments)]]


class Copilot(Dialect):
    refused_marker = "Denied by preToolUse hook"

    def shell(self, command):
        return ToolUse("bash", {"command": command, "description": "run it"})

    def write(self, path, content):
        return ToolUse("create", {"path": path, "file_text": content})

    def read(self, path):
        return ToolUse("view", {"path": str(self.root / path)})

    def mcp(self, server, tool, arguments):
        return [[ToolUse(f"{server}-{tool}", arguments)]]


class Droid(Dialect):
    refused_marker = "Error:"

    def shell(self, command):
        return ToolUse("Execute", {"command": command, "summary": "run it", "riskLevel": "low",
                                   "riskLevelReason": "an ordinary command"})

    def write(self, path, content):
        return ToolUse("Create", {"file_path": str(self.root / path), "content": content})

    def read(self, path):
        return ToolUse("Read", {"file_path": str(self.root / path)})

    def mcp(self, server, tool, arguments):
        return [[ToolUse("ToolSearch", {"query": f"{server} {tool}"})],
                [ToolUse(f"{server}___{tool}", arguments)]]


class OpenCode(Dialect):
    refused_marker = "Vectimus"

    def shell(self, command):
        return ToolUse("bash", {"command": command, "description": "run it"})

    def write(self, path, content):
        return ToolUse("write", {"filePath": str(self.root / path), "content": content})

    def read(self, path):
        return ToolUse("read", {"filePath": str(self.root / path)})

    def mcp(self, server, tool, arguments):
        return [[ToolUse(f"{server}_{tool}", arguments)]]


DIALECTS = {"claude": Claude, "codex": Codex, "gemini": Gemini, "copilot": Copilot, "droid": Droid,
            "opencode": OpenCode}


def assert_refused_by_policy(dialect: Dialect, result: ToolResult, policy: str | None = None) -> None:
    """The model was told the hook refused the call, naming a Vectimus policy (``policy`` if given)."""
    assert dialect.refused(result), result
    assert POLICY_ID.search(result.text), result.text
    if policy:
        assert policy in result.text, result.text

"""Running one real agent CLI session in a project against a freshly scripted mock model."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import agentcli
from mockmodel import AnthropicMock, MockModel, ResponsesMock, ToolUse

HERE = Path(__file__).parent
MCP_SERVER = HERE / "mcp_stdio_server.py"
BIN = Path(sys.executable).parent  # on the agent's PATH: `vectimus ...` typed by an agent would run
# What a CI workflow lets Claude Code run without a prompt (--allowedTools), so that in the
# default permission mode only the hook stands between the model and the tool.
CLAUDE_ALLOWED_TOOLS = ["Bash", "Read", "Write", "Edit", "mcp__testsrv"]


@dataclass
class Session:
    """One finished agent session: the CLI run, and what the mock model saw."""

    run: agentcli.Run
    model: MockModel
    mcp_log: Path

    def result(self, step: int, index: int = 0):
        """What came back to the model for a scripted tool call (fails with the run's output)."""
        try:
            return self.model.result(step, index)
        except KeyError:
            raise AssertionError(f"no result for step {step} call {index}; results "
                                 f"{self.model.results}\n{self.run.describe()}") from None

    def mcp_calls(self) -> list[dict]:
        """Every MCP tool call that reached the test MCP server."""
        if not self.mcp_log.exists():
            return []
        return [json.loads(line) for line in self.mcp_log.read_text().splitlines() if line.strip()]


@dataclass
class Agent:
    """Runs one real agent CLI in a project against a freshly scripted mock model."""

    name: str
    exe: Path
    root: Path
    home: Path
    mcp_log: Path = field(init=False)
    mcp_server: str | None = field(default=None, init=False)

    def __post_init__(self):
        self.mcp_log = self.home / "mcp-calls.jsonl"

    def mcp_server_command(self) -> list[str]:
        return [sys.executable, str(MCP_SERVER), str(self.mcp_log)]

    def declare_mcp_server(self, name: str = "testsrv") -> None:
        """Declare the test MCP server the way a user would for this agent."""
        cmd = self.mcp_server_command()
        if self.name == "claude":
            (self.root / ".mcp.json").write_text(json.dumps(
                {"mcpServers": {name: {"command": cmd[0], "args": cmd[1:]}}}, indent=2))
            (self.root / ".claude" / "settings.local.json").write_text(
                json.dumps({"enableAllProjectMcpServers": True}))
        # Codex reads [mcp_servers.*] from its config.toml, written per run (see session()).
        self.mcp_server = name

    def session(self, steps: list[list[ToolUse]], *, permission_mode: str | None = None,
                wrapper: list[str] = ()) -> Session:
        """Run the CLI once; the mock model makes the scripted tool calls in order."""
        mock_cls = AnthropicMock if self.name == "claude" else ResponsesMock
        with mock_cls(steps) as model:
            if self.name == "claude":
                run = agentcli.run_claude(self.exe, self.root, self.home, model.base_url,
                                          permission_mode=permission_mode,
                                          allowed_tools=CLAUDE_ALLOWED_TOOLS, extra_path=[BIN],
                                          wrapper=wrapper)
            else:
                extra = ""
                if self.mcp_server:
                    cmd = self.mcp_server_command()
                    extra = (f"\n[mcp_servers.{self.mcp_server}]\ncommand = {json.dumps(cmd[0])}\n"
                             f"args = {json.dumps(cmd[1:])}\n")
                run = agentcli.run_codex(self.exe, self.root, self.home, model.base_url,
                                         extra_config=extra, extra_path=[BIN], wrapper=wrapper)
        assert run.returncode == 0, run.describe()
        assert not model.unhandled, f"mock got requests it cannot answer: {model.unhandled}"
        return Session(run, model, self.mcp_log)

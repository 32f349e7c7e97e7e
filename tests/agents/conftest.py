"""Fixtures for the real-agent suite (``make test-agents``, ``pytest -m agents``).

Every test here is marked ``agents``. The pinned CLIs are installed with npm once into a cache
(``~/.cache/vectimus-test-agents/``, or ``$VECTIMUS_AGENTS_CACHE``) and reused; without npm the
suite is skipped with a message saying so. Nothing reaches the internet: the CLIs talk only to
the scripted mock model on 127.0.0.1 and their telemetry and update checks are off.
"""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from filelock import FileLock

import agentcli
from mockmodel import AnthropicMock, MockModel, ResponsesMock, ToolUse

HERE = Path(__file__).parent
BIN = Path(sys.executable).parent  # on the agent's PATH: `vectimus ...` typed by an agent would run
MCP_SERVER = HERE / "mcp_stdio_server.py"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.agents)


def _install(package: str, version: str, binary: str) -> Path:
    if shutil.which("npm") is None:
        pytest.skip(f"npm is not installed: cannot install {package}@{version} for the agent suite")
    root = agentcli.cache_root()
    root.mkdir(parents=True, exist_ok=True)
    with FileLock(str(root / ".install.lock"), timeout=900):
        return agentcli.install_cli(package, version, binary)


@pytest.fixture(scope="session")
def claude_exe() -> Path:
    """The pinned Claude Code CLI binary."""
    return _install(agentcli.CLAUDE_PACKAGE, agentcli.CLAUDE_VERSION, "claude")


@pytest.fixture(scope="session")
def codex_exe() -> Path:
    """The pinned Codex CLI binary."""
    return _install(agentcli.CODEX_PACKAGE, agentcli.CODEX_VERSION, "codex")


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
        self._mcp_name = name

    def session(self, steps: list[list[ToolUse]], *, permission_mode: str | None = None) -> Session:
        """Run the CLI once; the mock model makes the scripted tool calls in order."""
        mock_cls = AnthropicMock if self.name == "claude" else ResponsesMock
        with mock_cls(steps) as model:
            if self.name == "claude":
                run = agentcli.run_claude(self.exe, self.root, self.home, model.base_url,
                                          permission_mode=permission_mode, extra_path=[BIN])
            else:
                extra = ""
                if getattr(self, "_mcp_name", None):
                    cmd = self.mcp_server_command()
                    extra = (f"\n[mcp_servers.{self._mcp_name}]\ncommand = {json.dumps(cmd[0])}\n"
                             f"args = {json.dumps(cmd[1:])}\n")
                run = agentcli.run_codex(self.exe, self.root, self.home, model.base_url,
                                         extra_config=extra, extra_path=[BIN])
        assert run.returncode == 0, run.describe()
        assert not model.unhandled, f"mock got requests it cannot answer: {model.unhandled}"
        return Session(run, model, self.mcp_log)


@pytest.fixture
def claude(claude_exe, installed) -> Agent:
    """Claude Code in a project where ``vectimus init --ci`` has run."""
    return Agent("claude", claude_exe, installed.root, installed.home)


@pytest.fixture
def codex(codex_exe, installed) -> Agent:
    """The Codex CLI in a project where ``vectimus init --ci`` has run."""
    return Agent("codex", codex_exe, installed.root, installed.home)

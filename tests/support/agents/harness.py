"""Running one real agent CLI session in a project against a freshly scripted mock model."""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock

from tests.support.agents import agentcli
from tests.support.agents.dialects import DIALECTS, Dialect
from tests.support.agents.mockmodel import MockModel, ToolResult

HERE = Path(__file__).parent
MCP_SERVER = HERE / "mcp_stdio_server.py"
BIN = Path(sys.executable).parent  # on the agent's PATH: `vectimus ...` typed by an agent would run
# What a CI workflow lets Claude Code run without a prompt (--allowedTools), so that in the
# default permission mode only the hook stands between the model and the tool.
CLAUDE_ALLOWED_TOOLS = ["Bash", "Read", "Write", "Edit", "mcp__testsrv"]
# Every (agent, version) the suite runs.
CASES = [(cli.agent, version) for cli in agentcli.CLIS.values() for version in cli.versions]
_installed: dict[tuple[str, str], Path] = {}


def cli_exe(agent: str, version: str) -> Path:
    """The pinned CLI binary (installed into the cache once, under a lock shared by the workers)."""
    key = (agent, version)
    if key not in _installed:
        cli = agentcli.CLIS[agent]
        if shutil.which("npm") is None:
            pytest.skip(f"npm is not installed: cannot install {cli.package}@{version} for the agent suite")
        root = agentcli.cache_root()
        root.mkdir(parents=True, exist_ok=True)
        with FileLock(str(root / ".install.lock"), timeout=1800):
            _installed[key] = agentcli.install_cli(cli, version)
    return _installed[key]


@dataclass
class Session:
    """One finished agent session: the CLI run, what the mock model saw, the receipts it left."""

    run: agentcli.Run
    model: MockModel
    mcp_log: Path
    receipts: list[dict]

    def decisions(self) -> list[str]:
        """The decision recorded for each hooked call, in order: one receipt per call, however
        many hooks judged it (Copilot CLI also runs Claude Code's hooks for every call)."""
        return [r["decision"] for r in self.receipts]

    def result(self, step: int, index: int = 0) -> ToolResult:
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
    version: str
    project: Any  # conftest.Project: the git repository (and HOME) the CLI runs in
    mcp_server: str | None = field(default=None, init=False)

    @property
    def root(self) -> Path:
        return self.project.root

    @property
    def home(self) -> Path:
        return self.project.home

    @property
    def mcp_log(self) -> Path:
        return self.home / "mcp-calls.jsonl"

    @property
    def speaks(self) -> Dialect:
        """How this agent's model spells calls, and how it reports a refused one."""
        return DIALECTS[self.name](self.root)

    def at_least(self, version: str) -> bool:
        """Whether this CLI is ``version`` or newer."""
        def key(v: str) -> tuple[int, ...]:
            return tuple(int(p) for p in v.split("."))
        return key(self.version) >= key(version)

    def receipts(self) -> list[dict]:
        """Every receipt in the project's log."""
        return self.project.receipts() if (self.root / ".vectimus").is_dir() else []

    def declare_mcp_server(self, name: str = "testsrv") -> None:
        """Declare the test MCP server (each run writes it where this agent reads servers)."""
        self.mcp_server = name

    def session(self, steps: list, *, expect_receipts: int | None = None, wrapper: list[str] = (),
                **options) -> Session:
        """Run the CLI once; the mock model makes the scripted tool calls in order.

        Every tool call the agent must hook has to leave exactly one receipt (``expect_receipts``
        overrides the count where the CLI itself refuses a call before its hook): an agent that
        skipped its hook, or a call recorded twice, fails the test here.
        """
        if self.name == "claude":
            options.setdefault("allowed_tools", CLAUDE_ALLOWED_TOOLS)
            options["allowed_tools"] = [*options["allowed_tools"], *options.pop("extra_tools", [])]
        before = len(self.receipts())
        mcp = (self.mcp_server, [sys.executable, str(MCP_SERVER), str(self.mcp_log)]) if self.mcp_server else None
        with MockModel(steps) as model:
            # the hooks' resident evaluator: one per test worker, stopped when the worker ends
            runtime = {"XDG_RUNTIME_DIR": self.project.env["XDG_RUNTIME_DIR"]}
            launch = agentcli.Launch(self.exe, self.root, self.home, model.base_url, extra_path=(BIN,),
                                     wrapper=tuple(wrapper), mcp_server=mcp, options=options,
                                     extra_env=runtime)
            run = agentcli.RUNNERS[self.name](launch)
        assert run.returncode == 0, run.describe()
        assert not model.unhandled, f"mock got requests it cannot answer: {model.unhandled}"
        session = Session(run, model, self.mcp_log, self.receipts()[before:])
        hooked = sum(1 for call in model.issued.values() if call.hooked)
        expected = hooked if expect_receipts is None else expect_receipts
        recorded = len(session.decisions())
        assert recorded == expected, (
            f"{recorded} calls recorded for {expected} hooked tool calls: "
            f"{[(r['call']['tool'], r['decision']) for r in session.receipts]}\n{run.describe()}")
        return session

"""A throwaway project installed the way users install Vectimus (``vectimus.sandbox``), as the
tests drive it: ``Project``, its environment, and the hook's answer read back.
"""

from __future__ import annotations

import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path


from vectimus.sandbox import Sandbox, SandboxError, clean_env


BIN = Path(sys.executable).parent
RUNTIME: list[str] = []


def runtime_dir() -> str:
    """One private runtime directory per test process, short enough for a unix socket path.

    Hooks started by tests put the resident evaluator's socket here; the session stops it.
    """
    if not RUNTIME:
        RUNTIME.append(tempfile.mkdtemp(prefix="vectimus-run-"))
    return RUNTIME[0]


@dataclass
class HookResult:
    """One hook process: exit code, stdout, stderr, and the decision they mean."""

    rc: int
    stdout: str
    stderr: str

    @property
    def json(self) -> dict | None:
        return json.loads(self.stdout) if self.stdout.strip() else None


def base_env(home: Path) -> dict[str, str]:
    """A clean environment (``sandbox.clean_env``) with this test process's runtime directory."""
    return {**clean_env(home, BIN, "Test"), "XDG_RUNTIME_DIR": runtime_dir()}


class Project(Sandbox):
    """A temporary git repository with its own HOME, where Vectimus can be installed
    (``vectimus.sandbox.Sandbox``, the builder ``demo`` and ``policy test`` use too)."""

    def __init__(self, root: Path, home: Path):
        super().__init__(root, home, base_env(home), BIN)

    def run(self, *args: str, check: bool = True, env: dict | None = None, input: str | None = None):
        """Run a command in the project (``vectimus`` resolves to this environment's)."""
        try:
            return super().run(*args, check=check, env=env, input=input, timeout=120)
        except SandboxError as exc:
            raise AssertionError(str(exc)) from None

    @property
    def claude_settings(self) -> Path:
        """Where init installs Claude Code's hooks (the local, never committed, settings file)."""
        return self.root / ".claude" / "settings.local.json"

    def claude_hooks(self, event: str = "PreToolUse") -> list[str]:
        """The commands init wrote into Claude Code's settings for ``event``."""
        settings = json.loads(self.claude_settings.read_text())
        return [hook["command"] for group in settings["hooks"].get(event, []) for hook in group["hooks"]
                if "vectimus" in hook["command"]]

    def approve_example_servers(self) -> None:
        """Approve the MCP servers the bundled policies' allow examples call (``vectimus mcp allow``)."""
        from vectimus.examples import approved_mcp_servers, pack_examples
        from vectimus.policies import bundled_packs_dir

        servers = approved_mcp_servers([ex for pack in sorted(bundled_packs_dir().iterdir()) if pack.is_dir()
                                        for ex in pack_examples(pack)])
        if servers:
            self.run("vectimus", "mcp", "allow", "--force", *servers)

    def hook_command(self, agent: str = "claude") -> str:
        """The exact PreToolUse command init wrote into Claude Code's settings."""
        assert agent == "claude", "other agents' tests read their own config files"
        commands = self.claude_hooks()
        assert commands, f"no vectimus hook in {self.claude_settings}"
        return commands[0]

    def call(self, command: str, payload: dict | str | bytes, env: dict | None = None) -> HookResult:
        """Run an installed hook command through /bin/sh with ``payload`` on stdin."""
        out = super().call(command, payload, env)
        return HookResult(out.returncode, out.stdout.decode(), out.stderr.decode())

    def receipts(self) -> list[dict]:
        """Every receipt body in the project's log, in order."""
        from vectimus.receipts.chain import receipts_dir
        from vectimus.receipts.envelope import payload_of

        return [json.loads(payload_of(line))
                for segment in sorted(receipts_dir(self.root).glob("segment-*.jsonl"))
                for line in segment.read_bytes().splitlines() if line.strip()]

    def claude_event(self, tool: str, tool_input: dict, **extra) -> dict:
        """A Claude Code PreToolUse event, shaped like the real captured ones (each a new tool-use id)."""
        return super().claude_event(tool, tool_input, **{"session_id": "test-session", **extra})

"""Interactive ``vectimus init`` on a real terminal (a pty): the detected agents offered, each
declared MCP server asked about, next steps at the end. Non-interactive init names the MCP
servers it leaves denied."""

from __future__ import annotations

import json
import os
import re
import select
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

VECTIMUS = str(Path(sys.executable).parent / "vectimus")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Terminal:
    """A command run on a pseudo-terminal, answered prompt by prompt."""

    def __init__(self, argv: list[str], cwd: Path, env: dict[str, str]):
        self.leader, follower = os.openpty()
        self.proc = subprocess.Popen(argv, cwd=cwd, env={**env, "COLUMNS": "100", "TERM": "dumb"},
                                     stdin=follower, stdout=follower, stderr=follower, close_fds=True)
        os.close(follower)
        self.seen = ""

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.leader], [], [], timeout)
        if not ready:
            return False
        try:
            data = os.read(self.leader, 4096)
        except OSError:  # the process closed the terminal
            return False
        self.seen += ANSI.sub("", data.decode(errors="replace")).replace("\r\n", "\n")
        return bool(data)

    def expect(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.seen:
            if time.monotonic() > deadline or (not self._read(0.5) and self.proc.poll() is not None):
                raise AssertionError(f"never saw {text!r}; the terminal shows:\n{self.seen}")

    def answer(self, prompt: str, reply: str) -> None:
        self.expect(prompt)
        self.seen = self.seen[self.seen.index(prompt) + len(prompt):]
        os.write(self.leader, reply.encode() + b"\n")

    def finish(self, timeout: float = 120) -> str:
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            self._read(0.5)
        while self._read(0.1):
            pass
        os.close(self.leader)
        assert self.proc.wait(timeout=5) == 0, self.seen
        return self.seen


def _hooked(project) -> set[str]:
    """The agents whose hook is installed in the project, as `vectimus status` finds them."""
    hooks = json.loads(project.run("vectimus", "status", "--json").stdout)["hooks"]
    return {agent for agent, commands in hooks.items() if commands}


@pytest.fixture
def declared(project):
    """A project where Claude Code and Cursor are in use, Cursor declaring two MCP servers."""
    (project.root / ".cursor").mkdir()
    (project.root / ".cursor" / "mcp.json").write_text(json.dumps({"mcpServers": {
        "github": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"]},
        "docs": {"url": "https://docs.example/mcp"}}}))
    (project.home / ".claude").mkdir(parents=True)
    return project


def test_interactive_init_offers_detected_agents_and_asks_per_mcp_server(declared):
    term = Terminal([VECTIMUS, "init"], declared.root, declared.env)
    term.expect("claude     Claude Code      detected here")
    term.expect("codex      Codex CLI        not detected")
    term.answer("Protect which agents (comma-separated names) [claude,cursor]: ", "")  # the detected ones
    term.answer("Allow MCP server github (.cursor/mcp.json: npx -y @modelcontextprotocol/server-github)? [y/N]: ", "y")
    term.answer("Allow MCP server docs (.cursor/mcp.json: https://docs.example/mcp)? [y/N]: ", "")
    shown = term.finish()
    config = tomllib.loads((declared.root / ".vectimus" / "config.toml").read_text())
    assert config["agents"] == ["claude", "cursor"] and config["mcp"]["allowed"] == ["github"]
    assert _hooked(declared) == {"claude", "cursor"}
    steps = shown[shown.index("Next"):]
    for command in ("vectimus doctor", "vectimus status", "vectimus explain -- 'COMMAND'", "vectimus report"):
        assert f"  {command}  " in steps or f"  {command} " in steps
    assert "vectimus mcp allow NAME" in steps and "let the agent call docs (denied until then)" in steps
    # The hook now lets the agent call the allowed server and denies the other.
    decisions = {}
    for server in ("github", "docs"):
        event = declared.claude_event(f"mcp__{server}__list_issues", {"repo": "acme/app"})
        out = declared.call(declared.hook_command(), event)
        decisions[server] = (out.json or {}).get("hookSpecificOutput", {}).get("permissionDecision", "allow")
    assert decisions == {"github": "allow", "docs": "deny"}


def test_interactive_init_can_name_an_agent_that_was_not_detected(declared):
    term = Terminal([VECTIMUS, "init"], declared.root, declared.env)
    term.answer("Protect which agents (comma-separated names) [claude,cursor]: ", "codex")
    shown = term.finish()
    assert _hooked(declared) == {"codex"}
    assert "Allow MCP server" not in shown  # Codex declares none here


def test_non_interactive_init_names_the_servers_it_leaves_denied(declared):
    out = declared.run("vectimus", "init", "--agent", "cursor")
    assert "let the agent call docs, github (denied until then)" in out.stdout
    assert "Next" in out.stdout and "vectimus doctor" in out.stdout
    ci = declared.run("vectimus", "init", "--ci", "--allow-mcp")
    assert "vectimus mcp allow NAME" not in ci.stdout

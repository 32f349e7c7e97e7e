"""``vectimus mcp list / allow / deny`` as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

VECTIMUS = str(Path(sys.executable).with_name("vectimus"))


@pytest.fixture
def project(tmp_path):
    project, home = tmp_path / "proj", tmp_path / "home"
    (project / ".cursor").mkdir(parents=True)
    home.mkdir()
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    (project / ".cursor" / "mcp.json").write_text(json.dumps({"mcpServers": {
        "github": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"]},
        "[red]x": {"url": "https://evil.example/mcp"}}}))
    (home / ".codex").mkdir()
    (home / ".codex" / "config.toml").write_text('[mcp_servers.docs]\nurl = "https://docs/mcp"\nenabled = false\n')
    return project


def run(project: Path, *args: str) -> subprocess.CompletedProcess:
    home = project.parent / "home"
    env = {**os.environ, "HOME": str(home), "VECTIMUS_HOME": str(home / ".vectimus"), "COLUMNS": "200"}
    return subprocess.run([VECTIMUS, "mcp", *args], cwd=project, env=env, capture_output=True,
                          text=True, timeout=60)


def test_list_allow_deny_round_trip(project):
    listed = json.loads(run(project, "list", "--json").stdout)
    assert [(s["name"], s["declared_in"], s["allowed"], s["valid"], s["enabled"]) for s in listed] == [
        ("github", ".cursor/mcp.json", False, True, True),
        ("[red]x", ".cursor/mcp.json", False, False, True),
        ("docs", "~/.codex/config.toml", False, True, False)]

    allowed = run(project, "allow", "github", "docs")
    assert allowed.returncode == 0, allowed.stderr
    config = project / ".vectimus" / "config.toml"
    assert tomllib.loads(config.read_text())["mcp"]["allowed"] == ["github", "docs"]

    table = run(project, "list")
    assert table.returncode == 0
    assert "[red]x" in table.stdout  # shown literally, never as markup
    assert "npx -y @modelcontextprotocol/server-github" in table.stdout

    assert run(project, "deny", "docs").returncode == 0
    assert tomllib.loads(config.read_text())["mcp"]["allowed"] == ["github"]


def test_invalid_names_are_refused_with_a_clear_error(project):
    result = run(project, "allow", "[red]x")
    assert result.returncode == 1
    assert "invalid MCP server name" in result.stderr
    assert not (project / ".vectimus" / "config.toml").exists()


def test_list_when_nothing_is_declared(tmp_path):
    (tmp_path / "home").mkdir()
    (tmp_path / "empty").mkdir()
    result = run(tmp_path / "empty", "list")
    assert result.returncode == 0 and "No MCP servers" in result.stdout


def test_init_ci_allows_no_server_unless_asked_and_never_an_invalid_name(project):
    def init(*flags):
        home = project.parent / "home"
        env = {**os.environ, "HOME": str(home), "VECTIMUS_HOME": str(home / ".vectimus")}
        done = subprocess.run([VECTIMUS, "init", "--ci", *flags], cwd=project, env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return tomllib.loads((project / ".vectimus" / "config.toml").read_text())["mcp"]["allowed"]

    assert init() == []
    assert init("--allow-mcp") == ["docs", "github"]


def test_undeclared_servers_are_refused_unless_forced(project):
    refused = run(project, "allow", "nosuch")
    assert refused.returncode == 1
    assert "no MCP server named nosuch is declared" in refused.stderr and "docs, github" in refused.stderr
    assert not (project / ".vectimus" / "config.toml").exists()
    forced = run(project, "allow", "nosuch", "--force")
    assert forced.returncode == 0, forced.stderr
    assert tomllib.loads((project / ".vectimus" / "config.toml").read_text())["mcp"]["allowed"] == ["nosuch"]

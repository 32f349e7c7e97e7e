"""MCP discovery across every agent's config files, name validation, and the allow-list edits."""

from __future__ import annotations

import json
import tomllib

import pytest

from vectimus import mcp_discovery as md
from vectimus.config_edit import is_trusted, trust_project


@pytest.fixture
def places(tmp_path, monkeypatch):
    project, home = tmp_path / "proj", tmp_path / "home"
    (project / ".git").mkdir(parents=True)
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("VECTIMUS_HOME", str(home / ".vectimus"))
    return project, home


def write(path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data))


def test_every_source_is_found(places):
    project, home = places
    write(project / ".mcp.json", {"mcpServers": {"claude-proj": {"command": "node", "args": ["s.js"]}}})
    write(home / ".claude.json", {
        "mcpServers": {"claude-user": {"type": "http", "url": "https://u.example/mcp"}},
        "projects": {str(project): {"mcpServers": {"claude-here": {"command": "here"}}},
                     "/somewhere/else": {"mcpServers": {"claude-elsewhere": {"command": "x"}}}}})
    write(home / ".claude" / "settings.json", {"mcpServers": {"claude-settings": {"command": "cs"}}})
    write(project / ".cursor" / "mcp.json", {"mcpServers": {"cursor-proj": {"command": "cp"}}})
    write(home / ".cursor" / "mcp.json", {"mcpServers": {"cursor-user": {"url": "https://c/sse"}}})
    write(project / ".vscode" / "mcp.json", {"servers": {"vscode": {"type": "stdio", "command": "v"}},
                                             "inputs": []})
    write(home / ".copilot" / "mcp-config.json", {"mcpServers": {"copilot-user": {"command": "cu"}}})
    write(project / ".github" / "mcp.json", {"mcpServers": {"github-proj": {"command": "gp"}}})
    write(project / ".gemini" / "settings.json", {"mcpServers": {"gemini-proj": {"httpUrl": "https://g"}}})
    write(home / ".gemini" / "settings.json", {"mcpServers": {"gemini-user": {"command": "gu"}}})
    write(project / ".codex" / "config.toml",
          '[mcp_servers.codex-proj]\ncommand = "cx"\nargs = ["-y", "pkg"]\n\n'
          '[mcp_servers.codex-off]\ncommand = "off"\nenabled = false\n')
    write(home / ".codex" / "config.toml", '[mcp_servers.codex-user]\nurl = "https://cx/mcp"\n')

    servers = {s.name: s for s in md.discover(project, home)}
    assert set(servers) == {
        "claude-proj", "claude-user", "claude-here", "claude-settings", "cursor-proj", "cursor-user",
        "vscode", "copilot-user", "github-proj", "gemini-proj", "gemini-user", "codex-proj",
        "codex-off", "codex-user"}
    assert servers["claude-proj"].target == "node s.js" and servers["claude-proj"].declared_in == ".mcp.json"
    assert servers["claude-user"].url == "https://u.example/mcp"
    assert servers["claude-here"].declared_in.startswith("~/.claude.json (projects.")
    assert servers["gemini-proj"].target == "https://g"
    assert servers["codex-proj"].args == ("-y", "pkg") and servers["codex-proj"].agent == "codex"
    assert servers["codex-off"].enabled is False and servers["codex-proj"].enabled is True
    assert servers["vscode"].declared_in == ".vscode/mcp.json"


def test_disabled_spellings_and_agent_filter(places):
    project, home = places
    write(project / ".cursor" / "mcp.json", {"mcpServers": {"a": {"command": "a", "disabled": True},
                                                            "b": {"command": "b", "enabled": False},
                                                            "c": {"command": "c"}}})
    write(project / ".mcp.json", {"mcpServers": {"d": {"command": "d"}}})
    assert {s.name: s.enabled for s in md.discover(project, home, agents=("cursor",))} == \
        {"a": False, "b": False, "c": True}


def test_unreadable_files_are_reported_not_fatal(places):
    project, home = places
    write(project / ".mcp.json", "{broken")
    write(project / ".codex" / "config.toml", "[mcp_servers.x\n")
    write(project / ".cursor" / "mcp.json", {"mcpServers": {"ok": {"command": "x"}, "bad": "nope"}})
    problems: list[str] = []
    assert [s.name for s in md.discover(project, home, problems=problems)] == ["ok"]
    assert len(problems) == 2 and problems[0].startswith(".mcp.json")


@pytest.mark.parametrize("name", ["github", "my_db", "a.b-c", "0x", "A" * 64])
def test_valid_names(name):
    assert md.validate_name(name) == name


@pytest.mark.parametrize("name", ["", "-x", ".hidden", "a b", 'x"; permit', "a/b", "x\n", "A" * 65,
                                  "ünï", "a*"])
def test_invalid_names_are_refused(name):
    with pytest.raises(ValueError, match="invalid MCP server name"):
        md.validate_name(name)


def test_allow_and_deny_edit_the_list_keeping_comments(places):
    project, _ = places
    config = project / ".vectimus" / "config.toml"
    write(config, '# project policy\nmode = "enforce"\n\n[mcp]\n# servers we vetted\nallowed = ["github"]  # keep\n')
    trust_project(project)
    assert md.allow(project, ["postgres", "github", "postgres"]) == ["github", "postgres"]
    text = config.read_text()
    assert "# servers we vetted" in text and "# project policy" in text and "# keep" in text
    assert tomllib.loads(text)["mcp"]["allowed"] == ["github", "postgres"]
    assert md.allowed_servers(project) == ["github", "postgres"]
    assert md.deny(project, ["github", "never-there"]) == ["postgres"]
    assert tomllib.loads(config.read_text())["mcp"]["allowed"] == ["postgres"]


def test_allow_creates_the_config_and_invalid_names_change_nothing(places):
    project, _ = places
    config = project / ".vectimus" / "config.toml"
    with pytest.raises(ValueError):
        md.allow(project, ["good", 'bad"]\n[rules]'])
    assert not config.exists()
    assert md.allow(project, ["good"]) == ["good"]
    assert tomllib.loads(config.read_text()) == {"mcp": {"allowed": ["good"]}}


def test_editing_a_trusted_config_keeps_it_trusted(places):
    project, _ = places
    write(project / ".vectimus" / "config.toml", "[mcp]\nallowed = []\n")
    trust_project(project)
    md.allow(project, ["github"])
    assert is_trusted(project)
    assert md.allowed_servers(project) == ["github"]


def test_an_untrusted_project_list_is_edited_but_not_effective(places):
    project, _ = places
    write(project / ".vectimus" / "config.toml", "[mcp]\nallowed = []\n")
    md.allow(project, ["github"])
    assert not is_trusted(project)
    assert md.allowed_servers(project) == []

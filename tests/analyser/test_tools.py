"""Tool calls that are not shell commands: file, web, MCP, subagent, internal and unknown tools."""

from __future__ import annotations

import pytest

from conftest import HOME, PROJECT, call
from vectimus.analyser import Unanalysable


def test_write_tool_classifies_its_path():
    [action] = call("file_write", "Write", paths=(".github/workflows/ci.yml",))
    assert action.kind == "file_write"
    assert action.resource == f"{PROJECT}/.github/workflows/ci.yml"
    assert action.target.is_ci_config and action.target.in_project


def test_read_tool_on_a_secret_and_delete_tool():
    [read] = call("file_read", "Read", paths=("~/.ssh/id_ed25519",))
    assert read.kind == "file_read" and read.target.is_secret and read.target.path == f"{HOME}/.ssh/id_ed25519"
    [delete] = call("file_delete", "Delete", paths=(".env",))
    assert delete.kind == "file_delete" and delete.target.is_secret


def test_file_tool_without_path_is_unanalysable():
    with pytest.raises(Unanalysable):
        call("file_write", "Write", paths=())


def test_web_fetch_is_network_and_keeps_file_scheme():
    [action] = call("web_fetch", "WebFetch", url="http://169.254.169.254/latest/")
    assert action.kind == "network" and action.net.is_metadata and action.resource == "169.254.169.254"
    [local] = call("web_fetch", "WebFetch", url="file:///etc/passwd")
    assert local.net.scheme == "file"


def test_web_search_is_harmless_network():
    [action] = call("web_search", "WebSearch", query="cedar policy language")
    assert action.kind == "network" and action.net.scheme == "search" and action.net.host == ""
    assert not action.net.sends_data


def test_mcp_call_and_what_its_arguments_imply():
    actions = call("mcp", "mcp__fs__write_file", mcp_server="fs", mcp_tool="write_file",
                   arguments={"path": ".claude/settings.json", "content": "{}"})
    assert actions[0].kind == "mcp" and actions[0].resource == "fs/write_file"
    assert actions[0].mcp.server == "fs" and actions[0].mcp.tool == "write_file" and not actions[0].mcp.allowed
    [write] = [a for a in actions if a.kind == "file_write"]
    assert write.target.is_governance and write.via == ("mcp:fs",)


def test_mcp_command_argument_is_analysed_as_shell():
    actions = call("mcp", "mcp__term__run", mcp_server="term", mcp_tool="run",
                   arguments={"command": "sudo rm -rf ~"})
    [delete] = [a for a in actions if a.kind == "file_delete"]
    assert delete.target.is_home and "r" in delete.flags and delete.via[0] == "mcp:term"


def test_mcp_read_tool_reads_and_url_is_network():
    actions = call("mcp", "mcp__x__get", mcp_server="x", mcp_tool="get",
                   arguments={"file": "notes.md", "nested": {"url": "https://api.example.com/v1"}})
    assert {a.kind for a in actions} == {"mcp", "file_read", "network"}


def test_spawn_and_internal():
    [spawn] = call("spawn", "Task", prompt="do it", arguments={"subagent_type": "reviewer"})
    assert spawn.kind == "spawn" and spawn.resource == "reviewer"
    [anon] = call("spawn", "Agent", prompt="x", arguments={})
    assert anon.resource == "agent"
    assert call("internal", "TodoWrite", arguments={"todos": []}) == []


def test_unknown_tool_fields_and_fallback():
    actions = call("unknown", "Frobnicate", arguments={"command": "git reset --hard"})
    assert any(a.kind == "exec" and a.subcommand == "reset" for a in actions)
    [write] = call("unknown", "Frobnicate", arguments={"path": "x.txt"})
    assert write.kind == "file_write"  # the strictest assumption
    [unknown] = call("unknown", "Frobnicate", arguments={"n": 3})
    assert unknown.kind == "unknown" and unknown.resource == "Frobnicate"


def test_shell_call_without_command_is_unanalysable():
    with pytest.raises(Unanalysable):
        call("shell", "Bash", command=None)

"""Tool calls that are not shell commands: file, web, MCP, subagent, internal and unknown tools."""

from __future__ import annotations

import pytest

from tests.support.analysis import HOME, PROJECT, call
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


def test_mcp_forge_writes_are_project_writes():
    actions = call("mcp", "mcp__github__push_files", mcp_server="github", mcp_tool="push_files",
                   arguments={"owner": "acme", "repo": "app", "branch": "main", "message": "ci",
                              "files": [{"path": ".github/workflows/ci.yml", "content": "on: push"}]})
    [write] = [a for a in actions if a.kind == "file_write"]
    assert write.target.is_ci_config and write.target.path == f"{PROJECT}/.github/workflows/ci.yml"
    [read] = [a for a in call("mcp", "mcp__github__get_file_contents", mcp_server="github",
                              mcp_tool="get_file_contents", arguments={"path": "README.md"}) if a.kind != "mcp"]
    assert read.kind == "file_read"


def test_mcp_text_leaving_is_scanned_for_credentials():
    token = "xoxb-" + "123456789012-1234567890123-AbCdEfGhIjKl"
    [sent] = call("mcp", "mcp__slack__slack_post_message", mcp_server="slack", mcp_tool="slack_post_message",
                  arguments={"channel_id": "C1", "text": f"here: {token}"})
    assert sent.kind == "mcp" and sent.secrets == ("slack-token",) and token not in repr(sent)
    [plain] = call("mcp", "mcp__slack__slack_post_message", mcp_server="slack", mcp_tool="slack_post_message",
                   arguments={"channel_id": "C1", "text": "the deploy is done"})
    assert plain.secrets == ()


def test_mcp_shell_and_cluster_servers_run_what_they_are_given():
    shell_server = call("mcp", "mcp__terminal__execute", mcp_server="terminal", mcp_tool="execute",
                        arguments={"command": "psql", "args": ["-c", "DROP TABLE users"]})
    assert any(a.kind == "query" and a.db.statement == "drop" for a in shell_server)
    k8s = call("mcp", "mcp__kubernetes__kubectl_generic", mcp_server="kubernetes", mcp_tool="kubectl_generic",
               arguments={"command": "delete", "args": ["namespace", "prod"]})
    [kubectl] = [a for a in k8s if a.kind == "exec"]
    assert kubectl.program == "kubectl" and kubectl.subcommand == "delete" and "prod" in kubectl.args


def test_mcp_unknown_tool_paths_are_read_and_written(tmp_path):
    actions = call("mcp", "mcp__vendor__frob", mcp_server="vendor", mcp_tool="frob",
                   arguments={"path": ".github/workflows/ci.yml"})
    assert {a.kind for a in actions} == {"mcp", "file_read", "file_write"}


def test_mcp_table_from_a_pack_adds_and_replaces_families(tmp_path):
    from vectimus.analyser import mcp_table

    extra = tmp_path / "mcp-tools.toml"
    extra.write_text('[servers.warehouse]\nnames = ["wh"]\nengine = "snowflake"\ndialect = "snowflake"\n'
                     '[[servers.warehouse.tools]]\nmatch = "*"\nsql = ["q"]\n')
    meaning = mcp_table.meaning("wh", "run", (*mcp_table.bundled(), extra))
    assert meaning.family == "warehouse" and meaning.sql == frozenset({"q"}) and meaning.dialect == "snowflake"
    assert mcp_table.meaning("my-postgres", "query").engine == "postgres"
    assert not mcp_table.meaning("wh", "run").known


def test_mcp_tables_of_packs_leave_out_the_projects_own():
    from pathlib import Path

    from vectimus.analyser.mcp_table import tables_of
    from vectimus.policies import Pack

    packs = [Pack("p", Path("/proj/.vectimus/packs/p"), "project"), Pack("u", Path("/u/packs/u"), "user"),
             Pack("mcp-safety", Path("/b/mcp-safety"), "bundled")]
    assert tables_of(packs) == (Path("/b/mcp-safety/mcp-tools.toml"), Path("/u/packs/u/mcp-tools.toml"))

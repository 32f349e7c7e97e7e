"""End to end, per agent: ``vectimus init --ci`` in a fresh git repo with a fresh HOME, then the
exact hook command it wrote into each agent's config, run through /bin/sh with that agent's own
event shapes for a shell call, a file write, a file read and an MCP call.

Claude Code events are the captured payloads in tests/fixtures/captures (paths rewritten).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CAPTURES = REPO / "tests" / "fixtures" / "captures"
VECTIMUS = str(Path(sys.executable).with_name("vectimus"))
DANGEROUS = "vectimus remove"      # vectimus-destruct-006
WORKFLOW = ".github/workflows/x.yml"  # vectimus-fileint-001
SERVERS = {"github": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"]},
           "shady": {"url": "https://shady.example/mcp"}}
MCP_POLICY = any("mcp.allowed" in p.read_text() for p in (REPO / "packs").rglob("*.cedar"))
# Until a bundled pack forbids calls to MCP servers that are not allowed, the test project carries
# that one policy as its own pack (a project pack can only add forbids).
TEST_MCP_POLICY = """@id("test-mcp-001")
@description("Calls to MCP servers that are not on the allow-list")
forbid (principal, action == Vectimus::Action::"mcp", resource) when { !context.mcp.allowed };
"""
POLICY_ID = re.compile(r"vectimus-[a-z]+-\d{3}")


@dataclass
class Setup:
    project: Path
    env: dict


@dataclass
class Answer:
    """What one hook run printed, reduced to a verdict and a reason for comparison."""

    verdict: str
    reason: str
    stdout: str


@pytest.fixture(scope="module")
def setup(tmp_path_factory) -> Setup:
    root = tmp_path_factory.mktemp("e2e")
    project, home = root / "app", root / "home"
    home.mkdir()
    project.mkdir()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("VECTIMUS_", "CLAUDE", "CURSOR_", "COPILOT", "GITHUB_")) and k != "CI"}
    env.update(HOME=str(home), PATH=os.environ.get("PATH", "/usr/bin:/bin"))
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    (project / "README.md").write_text("hello\n")
    for config, key in ((".mcp.json", "mcpServers"), (".cursor/mcp.json", "mcpServers"),
                        (".vscode/mcp.json", "servers")):
        (project / config).parent.mkdir(exist_ok=True)
        (project / config).write_text(json.dumps({key: SERVERS}))
    if not MCP_POLICY:
        pack = project / ".vectimus" / "packs" / "test-mcp"
        pack.mkdir(parents=True)
        (pack / "mcp.cedar").write_text(TEST_MCP_POLICY)
    for args in (["init", "--ci"], ["mcp", "allow", "github"]):
        done = subprocess.run([VECTIMUS, *args], cwd=project, env=env, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr
    return Setup(project, env)


def run(command: str, event: dict, setup: Setup, extra_env: dict | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run(["/bin/sh", "-c", command], input=json.dumps(event), cwd=setup.project,
                          env={**setup.env, **(extra_env or {})}, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, (done.returncode, done.stderr)
    return done


# --------------------------------------------------------------------------- Claude Code

def claude_command(project: Path) -> str:
    settings = json.loads((project / ".claude" / "settings.local.json").read_text())
    [group] = settings["hooks"]["PreToolUse"]
    [hook] = group["hooks"]
    return hook["command"]


def claude_event(project: Path, capture: str, tool_input: dict | None = None, tool: str | None = None) -> dict:
    text = (CAPTURES / f"claude-code-2.1.197-{capture}.json").read_text()
    event = json.loads(text.replace("/home/dev/app", str(project)))
    # Captured with permissions bypassed; under `init --ci` that is vectimus-agentgov-002's business.
    event["permission_mode"] = "default"
    if tool_input is not None:
        event["tool_input"] = tool_input
    if tool is not None:
        event["tool_name"] = tool
    return event


def claude(setup: Setup, event: dict) -> Answer:
    done = run(claude_command(setup.project), event, setup, {"CLAUDE_PROJECT_DIR": str(setup.project)})
    if not done.stdout:
        return Answer("allow", "", "")
    out = json.loads(done.stdout)["hookSpecificOutput"]
    assert out["hookEventName"] == "PreToolUse"
    return Answer(out["permissionDecision"], out["permissionDecisionReason"], done.stdout)


def claude_events(project: Path) -> dict[str, dict]:
    p = str(project)
    return {
        "shell_allow": claude_event(project, "Bash", {"command": "ls -la", "description": "list"}),
        "shell_deny": claude_event(project, "Bash", {"command": DANGEROUS, "description": "x"}),
        "write_allow": claude_event(project, "Write", {"file_path": f"{p}/src/app.py", "content": "x"}),
        "write_deny": claude_event(project, "Write"),  # the capture writes .github/workflows/x.yml
        "read_allow": claude_event(project, "Read", {"file_path": f"{p}/README.md"}),
        "read_malformed": claude_event(project, "Read", {"offset": 1}),
        "mcp_allow": claude_event(project, "mcp__testsrv__delete_repo", tool="mcp__github__create_issue"),
        "mcp_deny": claude_event(project, "mcp__testsrv__delete_repo", tool="mcp__shady__delete_repo"),
    }


# --------------------------------------------------------------------------- Cursor

def cursor_command(project: Path, event: str) -> str:
    [entry] = json.loads((project / ".cursor" / "hooks.json").read_text())["hooks"][event]
    assert entry["failClosed"] is True
    return entry["command"]


def cursor_base(project: Path, name: str) -> dict:
    return {"conversation_id": "668320d2-2fd8-4888-b33c-2a466fec86e7",
            "generation_id": "490b90b7-a2ce-4c2c-bb76-cb77b125df2f", "model": "claude-4.5-sonnet",
            "hook_event_name": name, "cursor_version": "2.1.0", "workspace_roots": [str(project)],
            "user_email": "dev@example.com", "transcript_path": None}


def cursor(setup: Setup, event: dict) -> Answer:
    done = run(cursor_command(setup.project, event["hook_event_name"]), event, setup,
               {"CURSOR_PROJECT_DIR": str(setup.project), "CURSOR_VERSION": "2.1.0"})
    out = json.loads(done.stdout)
    if out["permission"] == "allow":
        assert out == {"permission": "allow"}
        return Answer("allow", "", done.stdout)
    assert out["user_message"] == out["agent_message"]
    return Answer(out["permission"], out["user_message"], done.stdout)


def cursor_events(project: Path) -> dict[str, dict]:
    p = str(project)

    def shell(command):
        return {**cursor_base(project, "beforeShellExecution"), "command": command, "cwd": p,
                "sandbox": False}

    def tool(name, tool_input):
        return {**cursor_base(project, "preToolUse"), "tool_name": name, "tool_input": tool_input,
                "tool_use_id": "call_1", "cwd": p, "agent_message": "Writing the file"}

    def read(path, **extra):
        return {**cursor_base(project, "beforeReadFile"), "file_path": path, "content": "hello\n",
                "attachments": [], **extra}

    def mcp(server):
        return {**cursor_base(project, "beforeMCPExecution"), "tool_name": "create_issue",
                "tool_input": json.dumps({"owner": "acme", "repo": "app", "title": "t"}),
                "mcp_server_name": server, "command": "npx -y @modelcontextprotocol/server-github"}

    return {
        "shell_allow": shell("ls -la"),
        "shell_deny": shell(DANGEROUS),
        "pretool_shell_deny": tool("Shell", {"command": DANGEROUS, "working_directory": p}),
        "write_allow": tool("Write", {"file_path": f"{p}/src/app.py", "content": "x"}),
        "write_deny": tool("Write", {"file_path": f"{p}/{WORKFLOW}", "content": "on: push\n"}),
        "read_allow": read(f"{p}/README.md"),
        "read_malformed": {k: v for k, v in read("").items() if k != "file_path"},
        "mcp_allow": mcp("github"),
        "mcp_deny": mcp("shady"),
    }


# --------------------------------------------------------------------------- GitHub Copilot

def copilot_entry(project: Path, event: str) -> dict:
    [entry] = json.loads((project / ".github" / "hooks" / "vectimus.json").read_text())["hooks"][event]
    assert entry["type"] == "command" and entry["cwd"] == "."
    return entry


def copilot(setup: Setup, event: dict) -> Answer:
    entry = copilot_entry(setup.project, "preToolUse")
    done = run(entry["bash"], event, setup, entry.get("env"))
    out = json.loads(done.stdout)
    if out == {}:
        return Answer("allow", "", done.stdout)
    # The PascalCase / VS Code shape also gets hookSpecificOutput (so does an event that could not
    # be parsed, whose shape is unknown); a parsed camelCase event gets the flat fields only.
    if "tool_name" in event or "hookSpecificOutput" in out:
        hso = out["hookSpecificOutput"]
        assert (hso["permissionDecision"], hso["permissionDecisionReason"]) == \
            (out["permissionDecision"], out["permissionDecisionReason"])
        assert "tool_name" in event or out["permissionDecisionReason"].startswith("Vectimus denied")
    return Answer(out["permissionDecision"], out["permissionDecisionReason"], done.stdout)


def copilot_events(project: Path) -> dict[str, dict]:
    p = str(project)

    def cli(tool, args, as_string=True):
        return {"sessionId": "b7a4e2c3-1d4f-4e0b-9a41-5c1f7d2e8a90", "timestamp": 1704614600000,
                "cwd": p, "toolName": tool, "toolArgs": json.dumps(args) if as_string else args}

    def vscode(tool, tool_input):
        return {"timestamp": "2026-11-23T20:00:00.000Z", "cwd": p, "sessionId": "vs-1",
                "hook_event_name": "PreToolUse", "transcript_path": f"{p}/.vscode/t.json",
                "tool_name": tool, "tool_input": tool_input, "tool_use_id": "tooluse_1"}

    return {
        "shell_allow": cli("bash", {"command": "ls -la", "description": "List"}),
        "shell_deny": cli("bash", {"command": DANGEROUS, "description": "x"}),
        "vscode_shell_deny": vscode("run_in_terminal", {"command": DANGEROUS, "explanation": "e",
                                                        "goal": "g", "isBackground": False}),
        "write_allow": cli("create", {"path": f"{p}/src/app.py", "file_text": "x"}, as_string=False),
        "write_deny": cli("create", {"path": f"{p}/{WORKFLOW}", "file_text": "on: push\n"}),
        "vscode_write_deny": vscode("replace_string_in_file", {"filePath": f"{p}/{WORKFLOW}",
                                                               "oldString": "a", "newString": "b"}),
        "read_allow": cli("view", {"path": f"{p}/README.md"}),
        "vscode_read_allow": vscode("read_file", {"filePath": f"{p}/README.md", "startLine": 1,
                                                  "endLine": 5}),
        "read_malformed": cli("view", {"view_range": [1, 2]}),
        "mcp_allow": cli("github-create_issue", {"owner": "acme", "title": "t"}),
        "mcp_deny": cli("shady-delete_repo", {"repo": "acme/app"}),
        "vscode_mcp_deny": vscode("mcp__shady__delete_repo", {"repo": "acme/app"}),
    }


AGENTS = {"claude": (claude, claude_events), "cursor": (cursor, cursor_events),
          "copilot": (copilot, copilot_events)}


@pytest.mark.parametrize("agent", AGENTS)
def test_allowed_calls_get_the_agents_allow_answer(setup, agent):
    answer, events = AGENTS[agent]
    for case, event in events(setup.project).items():
        if case.endswith("_allow"):
            assert answer(setup, event).verdict == "allow", (agent, case)


@pytest.mark.parametrize("agent", AGENTS)
def test_policy_denials_name_the_policy(setup, agent):
    answer, events = AGENTS[agent]
    expected = {"shell_deny": "vectimus-destruct-006", "write_deny": "vectimus-fileint-001"}
    for case, event in events(setup.project).items():
        want = next((pid for suffix, pid in expected.items() if case.endswith(suffix)), None)
        if want:
            got = answer(setup, event)
            assert got.verdict == "deny" and want in got.reason, (agent, case, got)


@pytest.mark.parametrize("agent", AGENTS)
def test_malformed_calls_are_denied_in_the_agents_format(setup, agent):
    answer, events = AGENTS[agent]
    got = answer(setup, events(setup.project)["read_malformed"])
    assert got.verdict == "deny" and got.reason.startswith("Vectimus denied this call:")


@pytest.mark.parametrize("agent", AGENTS)
def test_mcp_servers_not_allowed_are_denied(setup, agent):
    answer, events = AGENTS[agent]
    for case, event in events(setup.project).items():
        if case.endswith("mcp_deny"):
            assert answer(setup, event).verdict == "deny", (agent, case)


def test_the_same_dangerous_command_is_denied_identically_by_every_agent(setup):
    reasons = {}
    for agent, (answer, events) in AGENTS.items():
        for case, event in events(setup.project).items():
            if case.endswith("shell_deny"):
                reasons[f"{agent}:{case}"] = answer(setup, event).reason
    assert len(reasons) == 5
    assert {tuple(POLICY_ID.findall(r)) for r in reasons.values()} == {("vectimus-destruct-006",)}
    assert len(set(reasons.values())) == 1, reasons


def test_session_end_events_are_recorded_without_an_answer(setup):
    project = setup.project
    for name in ("sessionEnd", "stop"):
        done = run(cursor_command(project, name), {**cursor_base(project, name), "status": "completed"},
                   setup, {"CURSOR_PROJECT_DIR": str(project)})
        assert done.stdout == "" and done.stderr == ""
    for name in ("sessionEnd", "agentStop"):
        entry = copilot_entry(project, name)
        event = {"sessionId": "s1", "timestamp": 1704618000000, "cwd": str(project), "reason": "complete"}
        done = run(entry["bash"], event, setup, entry.get("env"))
        assert done.stdout == "" and done.stderr == ""

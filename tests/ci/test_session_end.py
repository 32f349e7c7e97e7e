"""Session end through each agent's installed hook: the log is sealed, the job summary written, the agent untouched."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

VECTIMUS_DENIED = "vectimus rule disable vectimus-fileint-001"


def summary_env(project, name: str = "summary.md") -> dict:
    path = project.root.parent / name
    path.touch()
    return {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(path), "GITHUB_RUN_ID": "7",
            "GITHUB_JOB": "agent"}


def verify_sealed(project) -> dict:
    out = project.run("vectimus", "verify", "--sealed", "--json", check=False)
    return json.loads(out.stdout)


def flat_hooks(path: Path, event: str) -> list[dict]:
    return [h for h in json.loads(path.read_text())["hooks"].get(event, [])
            if "vectimus" in (h.get("command") or h.get("bash") or "")]


def test_cursor_session_end_seals_and_summarises(installed):
    env = summary_env(installed)
    hooks = installed.root / ".cursor" / "hooks.json"
    shell = flat_hooks(hooks, "beforeShellExecution")[0]["command"]
    event = {"conversation_id": "conv-1", "generation_id": "g1", "hook_event_name": "beforeShellExecution",
             "workspace_roots": [str(installed.root)], "command": VECTIMUS_DENIED, "cwd": str(installed.root)}
    answer = installed.call(shell, event, env=env)
    assert json.loads(answer.stdout)["permission"] == "deny"
    assert verify_sealed(installed)["first_failure"] is not None  # not sealed yet
    for name in ("stop", "sessionEnd"):  # Cursor sends both; the summary must not repeat
        command = flat_hooks(hooks, name)[0]["command"]
        end = installed.call(command, {"conversation_id": "conv-1", "hook_event_name": name,
                                       "workspace_roots": [str(installed.root)]}, env=env)
        assert (end.rc, end.stdout) == (0, ""), end.stderr
    assert verify_sealed(installed)["ok"]
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text()
    assert summary.count("### Vectimus: cursor session <code>conv-1</code>") == 1
    assert "vectimus-destruct-006" in summary and "| deny | 1 |" in summary


def test_copilot_agent_stop_seals_and_summarises(installed):
    env = summary_env(installed)
    hooks = installed.root / ".github" / "hooks" / "vectimus.json"
    pre = flat_hooks(hooks, "preToolUse")[0]
    answer = installed.call(pre["bash"], {"sessionId": "cop-1", "timestamp": 1, "cwd": str(installed.root),
                                          "toolName": "bash",
                                          "toolArgs": json.dumps({"command": VECTIMUS_DENIED})}, env=env)
    assert json.loads(answer.stdout)["permissionDecision"] == "deny"
    stop = flat_hooks(hooks, "agentStop")[0]
    end = installed.call(stop["bash"], {"sessionId": "cop-1", "timestamp": 2, "cwd": str(installed.root)},
                         env={**env, **stop.get("env", {})})
    assert (end.rc, end.stdout) == (0, ""), end.stderr
    assert verify_sealed(installed)["ok"]
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text()
    assert "copilot session <code>cop-1</code>" in summary and "vectimus-destruct-006" in summary


def claude_end(project, env=None):
    [command] = project.claude_hooks("SessionEnd")
    return project.call(command, {"session_id": "test-session", "cwd": str(project.root),
                                  "hook_event_name": "SessionEnd", "reason": "other"}, env=env)


def test_without_actions_the_log_is_sealed_and_nothing_else_written(installed):
    installed.call(installed.hook_command(), installed.claude_event("Read", {"file_path": str(installed.root / "README.md")}))
    before = {p for p in installed.root.rglob("*") if ".git" not in p.parts}
    end = claude_end(installed)
    assert (end.rc, end.stdout, end.stderr) == (0, "", "")
    assert verify_sealed(installed)["ok"]
    after = {p for p in installed.root.rglob("*") if ".git" not in p.parts}
    assert {p.name for p in after - before} <= {"checkpoints.jsonl"}  # no summary file appeared anywhere


def test_a_session_without_tool_calls_writes_no_summary(installed):
    env = summary_env(installed)
    end = claude_end(installed, env)
    assert (end.rc, end.stdout) == (0, "")
    assert Path(env["GITHUB_STEP_SUMMARY"]).read_text() == ""


def test_session_end_never_fails_the_agent(installed):
    installed.call(installed.hook_command(), installed.claude_event("Bash", {"command": VECTIMUS_DENIED}))
    bad_summary = installed.root.parent / "a-directory"
    bad_summary.mkdir()
    (installed.root / ".vectimus" / "config.toml").write_text("this is [not toml\n")
    end = claude_end(installed, {"GITHUB_STEP_SUMMARY": str(bad_summary)})
    assert (end.rc, end.stdout) == (0, "")
    assert "cannot seal the receipt log" in end.stderr and "cannot write the job summary" in end.stderr


def test_a_tampered_log_is_reported_as_such_in_the_summary(installed):
    env = summary_env(installed)
    installed.call(installed.hook_command(), installed.claude_event("Bash", {"command": VECTIMUS_DENIED}), env=env)
    segment = next((installed.root / ".vectimus" / "receipts").glob("segment-*.jsonl"))
    segment.write_bytes(segment.read_bytes().replace(b'"sig":"', b'"sig":"AAAA', 1))
    end = claude_end(installed, env)
    assert end.rc == 0
    assert "❌ **Receipts FAILED verification**" in Path(env["GITHUB_STEP_SUMMARY"]).read_text()


def test_hook_for_session_end_imports_no_cli(installed):
    """The session-end path stays off typer and rich (it runs inside the agent's session)."""
    probe = ("import sys, io, json; from vectimus.hook.respond import handle; from vectimus_claude import ClaudeAdapter; "
             f"ev = json.dumps({{'session_id': 's', 'cwd': {str(installed.root)!r}, 'hook_event_name': 'SessionEnd'}}); "
             "handle(ClaudeAdapter(), ev.encode(), dict(__import__('os').environ)); "
             "print(sorted(m for m in ('typer', 'rich', 'tomlkit') if m in sys.modules))")
    out = subprocess.run([str(Path(installed.env["PATH"].split(":")[0]) / "python"), "-c", probe],
                         env=installed.env, cwd=installed.root, capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stderr


def test_a_full_disk_during_the_session_end_checkpoint_leaves_no_torn_line(installed):
    """On a tmpfs that fills up, the checkpoint's write is cut short; once space returns, the log seals."""
    if subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode != 0:
        pytest.skip("needs unshare with user and mount namespaces (to mount a small tmpfs)")
    config = installed.home / ".vectimus" / "config.toml"
    config.write_text(config.read_text() + "\n[receipts]\ncheckpoint_every = 2\n")
    script = Path(__file__).resolve().parents[1] / "support" / "ci" / "full_disk.py"
    bin_dir = Path(installed.env["PATH"].split(":")[0])
    done = subprocess.run(["unshare", "-rm", str(bin_dir / "python"), str(script), str(installed.root),
                           installed.hook_command(), str(bin_dir / "vectimus")],
                          env={**installed.env, "VECTIMUS_DAEMON": "0"}, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert 0 < seen["control_written"] < 700  # this disk does cut an append short
    code, stdout, stderr = seen["first_end"]
    assert (code, stdout) == (0, "") and "cannot seal the receipt log" in stderr
    assert seen["checkpoints_unchanged"]
    assert seen["second_end"] == [0, "", ""]
    report = seen["verify"]
    assert report["ok"] and report["receipts"] == seen["calls"] and report["sealed_size"] == seen["calls"]

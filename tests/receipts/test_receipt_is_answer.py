"""The signed receipt is the answer: whatever fails while recording, the last receipt of the call
holds the decision, the reason and the digest of the exact bytes the agent was given."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import venv
from pathlib import Path

import pytest

from tests.support.receipts import payload

SINK = Path(__file__).with_name("raising_sink")


def receipts(root: Path) -> list[dict]:
    return [json.loads(payload(line)) for segment in sorted((root / ".vectimus" / "receipts").glob("segment-*.jsonl"))
            for line in segment.read_bytes().splitlines()]


def digest(text: str) -> dict:
    data = text.encode()
    return {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def told(result) -> tuple[str, str]:
    """The decision and reason a Claude Code answer gives (allow: no output)."""
    out = (json.loads(result.stdout) if result.stdout.strip() else {}).get("hookSpecificOutput", {})
    return out.get("permissionDecision", "allow"), out.get("permissionDecisionReason", "")


def assert_receipt_is_answer(receipt: dict, result) -> None:
    assert receipt["answer"] == {"exit": result.rc, "stdout": digest(result.stdout), "stderr": digest(result.stderr)}
    decision, reason = told(result)
    assert (receipt["decision"], receipt["reason"]) == (decision, reason)


@pytest.fixture(scope="module")
def plugin_python(tmp_path_factory) -> Path:
    """A virtualenv with a third-party receipt sink installed, layered on this environment's Vectimus."""
    target = tmp_path_factory.mktemp("sink-venv") / "venv"
    venv.create(target, with_pip=False)
    python = target / "bin" / "python"
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "_vectimus_base.pth").write_text(f"import site; site.addsitedir({sysconfig.get_paths()['purelib']!r})\n")
    source = shutil.copytree(SINK, target.parent / "raising_sink")  # a build leaves build/ beside the sources
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
                           str(source)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return python


@pytest.fixture
def with_sink(project, plugin_python, tmp_path):
    """A project installed by the plugin environment's ``vectimus init --ci``; its sink copies to a file."""
    copy = tmp_path / "sink-copy.jsonl"
    project.env.update(VECTIMUS_DAEMON="0", SINK_COPY=str(copy))
    project.run(str(plugin_python), "-m", "vectimus", "init", "--ci")
    assert str(plugin_python) in project.hook_command()
    return project, copy


def test_a_sink_that_raises_after_the_chain_turns_the_answer_into_a_recorded_deny(with_sink):
    project, copy = with_sink
    command = project.hook_command()
    fine = project.call(command, project.claude_event("Bash", {"command": "ls"}, tool_use_id="t1"))
    assert told(fine) == ("allow", "")
    failing = project.call(command, project.claude_event("Bash", {"command": "git status"}, tool_use_id="t2"),
                           env={"SINK_RAISES": "1"})
    decision, reason = told(failing)
    assert decision == "deny" and "receipt sink copy failed" in reason and "unreachable" in reason
    first, superseded, final = receipts(project.root)
    assert (first["decision"], superseded["decision"], final["decision"]) == ("allow", "allow", "deny")
    assert final["supersedes"] == superseded["seq"] and final["call_key"] == superseded["call_key"]
    assert_receipt_is_answer(final, failing)
    assert_receipt_is_answer(first, fine)
    assert [json.loads(line)["tool_use"] for line in copy.read_text().splitlines()] == ["t1"]
    verified = json.loads(project.run("vectimus", "verify", "--json").stdout)
    assert verified["ok"] and verified["receipts"] == 3


def test_a_config_error_deny_leaves_a_receipt_and_reaches_every_sink(with_sink):
    project, copy = with_sink
    (project.root / ".vectimus" / "config.toml").write_text("mode = [unclosed\n")
    result = project.call(project.hook_command(), project.claude_event("Bash", {"command": "ls"}))
    decision, reason = told(result)
    assert decision == "deny" and "config.toml" in reason
    [receipt] = receipts(project.root)
    assert_receipt_is_answer(receipt, result)
    assert receipt["policy_digest"] == "" and receipt["mode"] == "enforce"
    [body] = [json.loads(line) for line in copy.read_text().splitlines()]
    assert (body["decision"], body["reason"]) == ("deny", reason)


@pytest.mark.parametrize("daemon_on", [False, True])
def test_an_unwritable_evaluation_log_denies_and_the_receipt_says_so(installed, daemon_on):
    # a short runtime directory: a unix socket's path must fit in 107 bytes, which a deep tmp_path does not
    env = {"XDG_RUNTIME_DIR": tempfile.mkdtemp(prefix="vrun-")} if daemon_on else {"VECTIMUS_DAEMON": "0"}
    if daemon_on:
        installed.run("vectimus", "daemon", "start", env=env)
    command = installed.hook_command()
    logs = installed.home / ".vectimus" / "logs"
    try:
        assert told(installed.call(command, installed.claude_event("Bash", {"command": "ls"}), env=env))[0] == "allow"
        for path in logs.iterdir():
            path.unlink()
        logs.rmdir()
        logs.write_text("not a directory\n")  # the evaluation log can no longer be written
        result = installed.call(command, installed.claude_event("Bash", {"command": "ls -la"}, tool_use_id="t2"),
                                env=env)
        blocked = installed.call(command, installed.claude_event("Bash", {"command": "rm -rf ~"}, tool_use_id="t3"),
                                 env=env)
    finally:
        if daemon_on:
            installed.run("vectimus", "daemon", "stop", env=env)
            shutil.rmtree(env["XDG_RUNTIME_DIR"], ignore_errors=True)
    decision, reason = told(result)
    assert decision == "deny" and "cannot write the evaluation log" in reason
    _, second, third = receipts(installed.root)
    assert_receipt_is_answer(second, result)
    assert_receipt_is_answer(third, blocked)
    assert "vectimus-destruct-001" in third["reason"] and "cannot write the evaluation log" in third["reason"]
    assert {r["evaluator"] for r in (second, third)} == {"daemon" if daemon_on else "hook"}


def test_a_retry_stricter_than_its_recorded_answer_supersedes_it(installed):
    """One receipt per call answers a retry from the record, but never more leniently than the retry
    decides now (the mode or the policies changed meanwhile, or the record is not the evaluator's)."""
    command = installed.hook_command()
    env = {"VECTIMUS_DAEMON": "0"}
    event = installed.claude_event("Bash", {"command": "rm -rf ~"}, tool_use_id="toolu_retried")
    installed.run("vectimus", "mode", "observe")
    first = installed.call(command, event, env=env)
    installed.run("vectimus", "mode", "enforce")
    again = installed.call(command, event, env=env)
    installed.run("vectimus", "mode", "observe")
    relaxed = installed.call(command, event, env=env)
    assert told(first)[0] == "allow" and told(again)[0] == told(relaxed)[0] == "deny"
    observed, denied = [r for r in receipts(installed.root) if r["tool_use"] == "toolu_retried"]
    assert observed["decision"] == "observe" and denied["supersedes"] == observed["seq"]
    assert_receipt_is_answer(denied, again)
    assert_receipt_is_answer(denied, relaxed)  # the stricter record answers the more lenient retry
    assert json.loads(installed.run("vectimus", "verify", "--json").stdout)["ok"]

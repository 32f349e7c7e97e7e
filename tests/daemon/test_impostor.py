"""An impostor on the evaluator's socket cannot allow unnoticed: its dangerous "allow" is rejected and
the hook decides itself (deny, with a receipt saying the daemon's answer was rejected), and the log
still verifies. The impostors are real processes of the same uid (``tests/support/impostors.py``)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from tests.support.daemon import Daemon, read_receipts, verdict

from vectimus.daemon import lifecycle, protocol, runtime
from vectimus.hook.confirm import _envelope, fragments, holds
from vectimus.receipts.body import answer_digest, content_digest
from vectimus.receipts.envelope import RECEIPT_TYPE, canonical, encode

IMPOSTORS = Path(__file__).resolve().parents[1] / "support" / "impostors.py"
PACKAGE_PARENT = str(Path(protocol.__file__).parents[2])


def start_impostor(daemon: Daemon, mode: str, *extra: str, env: dict | None = None) -> subprocess.Popen:
    files = runtime.files({"XDG_RUNTIME_DIR": daemon.rundir}, create=True)
    proc = subprocess.Popen([sys.executable, str(IMPOSTORS), mode, files.socket, PACKAGE_PARENT, *extra],
                            stdout=subprocess.PIPE, text=True, env={**os.environ, **(env or {})})
    assert proc.stdout.readline().strip() == "ready"
    return proc


def calls(project, *commands: str) -> list:
    command = project.hook_command()
    return [project.call(command, project.claude_event("Bash", {"command": c}, tool_use_id=f"toolu_{i}"))
            for i, c in enumerate(commands)]


def assert_denied_and_recorded(project, result) -> dict:
    assert verdict(result) == "deny" and "vectimus-destruct-001" in result.stdout
    [receipt] = [r for r in read_receipts(project.root) if r["call"].get("command") == "rm -rf ~"]
    assert receipt["decision"] == "deny"
    verified = json.loads(project.run("vectimus", "verify", "--json").stdout)
    assert verified["ok"], verified["failures"][:3]
    return receipt


def test_the_client_checks_exactly_what_the_recorder_writes():
    """The canonical spellings the client looks for are those of a real receipt and its envelope."""
    members = fragments("ab" * 16, b'{"x": 1}', 0, b'{"hookSpecificOutput": {}}', b"why\n")
    body = {"nonce": "ab" * 16, "input": content_digest(b'{"x": 1}'),
            "answer": answer_digest(0, b'{"hookSpecificOutput": {}}', b"why\n"), "other": [1]}
    payload = canonical(body)
    assert holds(payload, members)
    assert not holds(payload, fragments("ab" * 16, b'{"x": 1}', 0, b"", b"why\n"))
    assert not holds(payload, fragments("cd" * 16, b'{"x": 1}', 0, b'{"hookSpecificOutput": {}}', b"why\n"))
    line = encode(RECEIPT_TYPE, payload, "ef" * 32, b"\x01" * 64)
    assert _envelope(line) == (payload, "ef" * 32)
    assert _envelope(encode("application/vnd.vectimus.checkpoint+json", payload, "ef" * 32, b"\x01" * 64)) is None
    assert _envelope(line[:-1]) is None  # not a whole line


def test_members_count_only_at_the_top_level():
    """Strings cannot spell a member (their quotes are escaped); a nested object that did is refused."""
    inside_a_string = canonical({"call": {"command": b"".join(fragments("ab" * 16, b"e", 0, b"", b"")).decode()},
                                 "nonce": "cd" * 16})
    assert not holds(inside_a_string, fragments("ab" * 16, b"e", 0, b"", b""))
    nested = {"nonce": "ab" * 16, "input": content_digest(b"e"), "answer": answer_digest(0, b"", b"")}
    assert not holds(canonical({"call": {"arguments": nested}, "nonce": "cd" * 16, "input": content_digest(b"f"),
                                "answer": answer_digest(2, b"", b"no")}), fragments("ab" * 16, b"e", 0, b"", b""))


@pytest.mark.parametrize("mode", ["spoof-exec", "spoof-mem"])
def test_an_impostor_with_the_daemons_command_line_cannot_allow(daemon, mode):
    project = daemon.project
    daemon.start()
    calls(project, "ls")  # a real receipt for the impostor to point at
    other = tempfile.mkdtemp(prefix="vd-other-")
    os.mkdir(os.path.join(other, "vectimus"), 0o700)  # where the execve'd daemon really runs
    impostor = start_impostor(daemon, mode, "x" * 200, env={"IMPOSTOR_OTHER_RUNTIME": other})
    try:
        # what the red team showed: SO_PEERCRED's pid really shows the daemon's command line
        with socket.socket(socket.AF_UNIX) as probe:
            probe.connect(runtime.files({"XDG_RUNTIME_DIR": daemon.rundir}).socket)
            pid, uid, _ = protocol.peer_credentials(probe)
        deadline = time.monotonic() + 20
        while not runtime.is_daemon_process(pid) and time.monotonic() < deadline:
            time.sleep(0.05)  # the execve (or the memory write) may still be on its way
        assert uid == os.getuid() and runtime.is_daemon_process(pid)
        [result] = calls(project, "rm -rf ~")
        assert impostor.stdout.readline().startswith("error")  # the probe above
        assert impostor.stdout.readline().startswith(f"answered {mode}")  # it did answer the hook
    finally:
        impostor.kill()
        impostor.wait()
        lifecycle.stop({"XDG_RUNTIME_DIR": other})
    receipt = assert_denied_and_recorded(project, result)
    assert receipt["evaluator"] == "hook"
    assert receipt["notes"] == ["the resident evaluator's answer was rejected: "
                                "its receipt is not of this call and this answer"]


@pytest.mark.parametrize("variant", ["allow-bare", "allow-over", "benign"])
def test_a_pass_through_impostor_cannot_allow_the_dangerous_call(daemon, tmp_path, variant):
    """It relays every call to a real daemon and answers "allow" to one it picks: refused each way."""
    project = daemon.project
    real_dir = tempfile.mkdtemp(prefix="vd-real-")
    real = lifecycle.start({**project.env, "XDG_RUNTIME_DIR": real_dir}, 60)
    assert real.accepting
    impostor = start_impostor(daemon, f"pass-through:{variant}", real.socket, "x" * 200)
    try:
        assert runtime.is_daemon_process(impostor.pid)  # its command line is the daemon's
        before, dangerous, after = calls(project, "git status", "rm -rf ~", "ls -la")
    finally:
        impostor.kill()
        impostor.wait()
        lifecycle.stop({"XDG_RUNTIME_DIR": real_dir})
    assert verdict(before) == verdict(after) == "allow"
    receipt = assert_denied_and_recorded(project, dangerous)
    by_command = {r["call"].get("command"): r for r in read_receipts(project.root)}
    assert by_command["git status"]["evaluator"] == by_command["ls -la"]["evaluator"] == "daemon"  # relayed, accepted
    if variant == "allow-over":  # the real daemon recorded the deny; the hook answered from that receipt
        assert receipt["evaluator"] == "daemon" and "notes" not in receipt
    else:
        assert receipt["evaluator"] == "hook" and "answer was rejected" in receipt["notes"][0]
    if variant == "benign":  # the real daemon was fed another call: its receipt is there, beside the deny
        assert by_command["echo harmless"]["nonce"] == receipt["nonce"]
    assert len(read_receipts(project.root)) == 3 + (variant == "benign")


def forged_answer(daemon, mode: str) -> tuple[object, list]:
    """The hook's answer to ``rm -rf ~`` with forging impostor ``mode`` on the socket, and the
    public keys the project published before it came."""
    daemon.start()
    calls(daemon.project, "ls")
    published = sorted((daemon.project.root / ".vectimus" / "keys").glob("*.pub"))
    impostor = start_impostor(daemon, mode, "x" * 200)
    try:
        [result] = calls(daemon.project, "rm -rf ~")
    finally:
        impostor.kill()
        impostor.wait()
    return result, published


def test_an_impostor_that_forges_the_receipt_with_a_key_of_its_own_is_denied(daemon):
    """It chains the very receipt the client looks for (and the call key a retry looks up), signed
    with a key the project does not publish: rejected, and the hook's own deny supersedes it."""
    project = daemon.project
    result, _ = forged_answer(daemon, "forge:unpublished")
    assert verdict(result) == "deny" and "vectimus-destruct-001" in result.stdout
    forged, receipt = [r for r in read_receipts(project.root) if r["tool_use"] == "toolu_0"][-2:]
    assert forged["decision"] == "allow" and forged["call_key"] == receipt["call_key"]  # it stays in the log
    assert receipt["decision"] == "deny" and receipt["supersedes"] == forged["seq"] and receipt["notes"] == [
        "the resident evaluator's answer was rejected: its receipt is signed by a key the project does not publish"]
    verified = json.loads(project.run("vectimus", "verify", "--json", check=False).stdout)
    assert not verified["ok"] and verified["first_failure"]["kind"] == "unknown_key"


def test_an_impostor_that_also_publishes_its_key_fails_verify_with_the_users_key(daemon):
    """The one way left to get "allow" printed without the user's private key: a whole receipt, signed
    by a key of its own that it publishes too. The call is answered; the log fails verify with the
    user's key fingerprint pinned (as an auditor reads it from outside the log), and warns without."""
    project = daemon.project
    result, [user_key] = forged_answer(daemon, "forge:published")
    assert verdict(result) == "allow"
    assert len(list((project.root / ".vectimus" / "keys").glob("*.pub"))) == 2
    pinned = json.loads(project.run("vectimus", "verify", "--json", "--key", user_key.stem, check=False).stdout)
    assert not pinned["ok"] and pinned["first_failure"]["kind"] == "unknown_key"
    unpinned = json.loads(project.run("vectimus", "verify", "--json", check=False).stdout)
    assert len(unpinned["keys_used"]) == 2 and "keys" in {w["kind"] for w in unpinned["warnings"]}, unpinned

"""The GitHub Actions path end to end: init --ci, real hook calls, session end, job summary, artifact, verify.

Run twice: with this checkout's environment, and with the wheels ``make dist`` built, installed
into a fresh venv the way ``pip install vectimus vectimus-claude`` installs them.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path


from tests.support.ci.scenario import SESSION, Job, clean_env, decision_of, upload_artifact
from tests.support.ci.rehearsal import drive_session, tamper


def verify_command(summary: str) -> str:
    """The verify command the job summary gives (the part after downloading the artifact)."""
    block = re.search(r"```sh\n(.+?)\n```", summary, re.S)
    assert block, summary
    command = block.group(1)
    assert command.startswith("gh run download 4242 -R acme/app -n vectimus-agent-4242 -D vectimus-artifact && ")
    return command.split(" && ", 1)[1]


def cut_back_to_first_checkpoint(receipts: Path) -> int:
    """Cut the log back exactly to its first checkpoint (receipts and later checkpoints go together)."""
    checkpoints = receipts / "checkpoints.jsonl"
    first = checkpoints.read_bytes().splitlines(keepends=True)[0]
    size = json.loads(base64.b64decode(json.loads(first)["payload"]))["size"]
    checkpoints.write_bytes(first)
    segment = sorted(receipts.glob("segment-*.jsonl"))[0]
    segment.write_bytes(b"".join(segment.read_bytes().splitlines(keepends=True)[:size]))
    return size


def rehearse(base: Path, bindir: Path) -> None:
    job = Job(base / "job", bindir)
    init_summary = job.summary.with_name("step_summary_init")  # every step has a summary of its own
    init_summary.touch()
    init = job.run("vectimus", "init", "--ci", env={"GITHUB_STEP_SUMMARY": str(init_summary)})
    key = re.search(r"Job signing key ([0-9a-f]{64})\n", init.stdout).group(1)  # the job's log
    assert f"`{key}`" in init_summary.read_text() and "before the agent started" in init_summary.read_text()
    doctor = json.loads(job.run("vectimus", "doctor", "--json").stdout)
    assert doctor["ok"], doctor
    hooks = len(json.loads(job.run("vectimus", "status", "--json").stdout)["hooks"])
    assert sum(c["check"] == "canary denied" for c in doctor["checks"]) == hooks
    # one receipt per canary (OpenCode's plugin-load check sends one more through the plugin), all synthetic
    recorded = json.loads(job.run("vectimus", "report", "--format", "json").stdout)
    canaries = len(recorded["synthetic"])
    assert canaries >= hooks and recorded["entries"] == []

    decisions = drive_session(job)
    assert decisions["workflow write"][0] == "deny" and "vectimus-fileint-001" in decisions["workflow write"][1]
    assert decisions["settings write"][0] == "deny" and "vectimus-fileint-004" in decisions["settings write"][1]
    assert decisions["rule disable"][0] == "deny" and "vectimus-destruct-006" in decisions["rule disable"][1]
    for label in ("read", "edit", "test run", "deploy"):  # deploy: VECTIMUS_GROUPS has "deploy"
        assert decisions[label] == ("allow", ""), (label, decisions[label])
    # The same job without the deploy group: the organisation pack stops the deploy.
    outside = job.fire("PreToolUse", job.tool_event("Bash", {"command": "./deploy.sh"}),
                       env={"VECTIMUS_GROUPS": "ci"})
    verdict, reason = decision_of(outside)
    assert verdict == "deny" and "acme-deploy-001" in reason

    end = job.session_end()
    assert (end.returncode, end.stdout) == (0, ""), end.stderr

    summary = job.summary.read_text()
    assert "✅ **Receipts verified**" in summary
    assert f"claude session <code>{SESSION}</code>" in summary
    assert "| deny | 4 |" in summary and "| allow | 4 |" in summary and "| **total** | **8** |" in summary
    for policy in ("vectimus-fileint-001", "vectimus-fileint-004", "vectimus-destruct-006", "acme-deploy-001"):
        assert f"<code>{policy}</code>" in summary
    assert "Writes to CI/CD workflow files" in summary       # a reason, as the agent was told
    # doctor's canaries came first, in their own session
    assert f"This covers receipts #{canaries}–#{canaries + 7} of log" in summary, summary
    command = verify_command(summary)
    last = f"{canaries + 8}:"  # the session end's checkpoint, with the key: the anchors it records
    assert f"--key {key} --checkpoint {last}" in command and command.endswith("--sealed")
    assert f"- key `{key}`" in summary and f"- last checkpoint `{last}" in summary

    again = job.session_end()  # a second end (Stop after SessionEnd): nothing new, nothing repeated
    assert again.returncode == 0 and job.summary.read_text() == summary

    # The auditor: only the artifact, on "another machine" (another HOME; the runner is gone).
    auditor = base / "auditor"
    upload_artifact(job.artifact_paths(), auditor / "vectimus-artifact")
    cut = base / "cut"  # a second copy, to be cut back
    upload_artifact(job.artifact_paths(), cut / "vectimus-artifact")
    job.run("vectimus", "daemon", "stop", check=False)  # the runner goes away, its evaluator with it
    shutil.rmtree(job.home)
    env = clean_env(auditor / "home", bindir)
    verified = subprocess.run(command, shell=True, cwd=auditor, env=env, capture_output=True, text=True, timeout=120)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "verified" in verified.stdout
    receipts = Path(command.split()[2])
    report = json.loads(subprocess.run([str(bindir / "vectimus"), "verify", str(receipts), "--sealed", "--json"],
                                       cwd=auditor, env=env, capture_output=True, text=True).stdout)
    assert report["ok"] and report["receipts"] == canaries + 8
    assert report["decisions"] == {"allow": 4, "deny": 4 + canaries}
    assert (auditor / "vectimus-artifact" / ".vectimus" / "logs" / "evaluations.jsonl").exists()

    html = subprocess.run([str(bindir / "vectimus"), "report", str(receipts), "--format", "html"],
                          cwd=auditor, env=env, capture_output=True, text=True)
    assert html.returncode == 0 and 'data-status="verified"' in html.stdout

    tamper(auditor / receipts)
    broken = subprocess.run(command, shell=True, cwd=auditor, env=env, capture_output=True, text=True)
    assert broken.returncode == 1 and "FAILED" in broken.stdout

    # Cut back exactly to doctor's checkpoint: consistent on its own, but not the log the anchors name.
    assert cut_back_to_first_checkpoint(cut / receipts) == canaries
    alone = subprocess.run([str(bindir / "vectimus"), "verify", str(receipts), "--sealed"], cwd=cut, env=env,
                           capture_output=True, text=True)
    assert alone.returncode == 0, alone.stdout
    anchored = subprocess.run(command, shell=True, cwd=cut, env=env, capture_output=True, text=True)
    assert anchored.returncode == 1 and "truncated" in anchored.stdout


def test_rehearsal_with_this_checkout(tmp_path):
    rehearse(tmp_path, Path(sys.executable).parent)


def test_rehearsal_with_built_wheels(tmp_path, wheel_bin):
    assert not list(wheel_bin.parent.glob("lib/*/site-packages/__editable__*"))  # installed, not linked
    rehearse(tmp_path, wheel_bin)

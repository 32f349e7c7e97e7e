"""``vectimus report DIR…``: many jobs' artifacts verified one by one and summed up as one fleet audit.

Three rehearsed GitHub Actions jobs in two repositories leave their artifacts side by side, as an
auditor downloads them; one is tampered with after upload. The fleet summary counts only the logs
that verify and flags exactly the tampered one, in every format; anchors recorded outside the
artifacts (the job's key fingerprint and last checkpoint) are checked too.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.ci.scenario import Job, clean_env, upload_artifact
from tests.support.ci.rehearsal import tamper

BIN = Path(sys.executable).parent
JOBS = {  # name: (repository, run id, the agent's commands)
    "build": ("api", "101", ["cat .env", "git status", "./deploy.sh"]),
    "docs": ("web", "102", ["rm -rf /", "ls"]),
    "release": ("web", "103", ["vectimus rule disable vectimus-fileint-001", "git log -1"]),
}


def run_job(base: Path, name: str, repository: str, run_id: str, commands: list[str]) -> dict:
    """One rehearsed job: its artifact, and the anchors its log printed (key id, last checkpoint)."""
    job = Job(base / name, BIN, repo=repository)
    job.env.update(GITHUB_RUN_ID=run_id, GITHUB_JOB=name)
    job.run("vectimus", "init", "--ci")
    for i, command in enumerate(commands):
        job.fire("PreToolUse", job.tool_event("Bash", {"command": command}) | {"tool_use_id": f"toolu_{name}_{i}"})
    write = job.tool_event("Write", {"file_path": str(job.repo / ".github/workflows/x.yml"), "content": "on: push\n"})
    job.fire("PreToolUse", write)
    assert job.session_end().returncode == 0
    job.run("vectimus", "daemon", "stop", check=False)
    report = json.loads(job.run("vectimus", "verify", "--sealed", "--json").stdout)
    checkpoints = (job.repo / ".vectimus" / "receipts" / "checkpoints.jsonl").read_bytes().splitlines()
    last = json.loads(base64.b64decode(json.loads(checkpoints[-1])["payload"]))
    artifact = upload_artifact(job.artifact_paths(), base / "artifacts" / f"vectimus-{name}-{run_id}")
    shutil.rmtree(job.home)
    return {"artifact": artifact, "keys": report["keys_used"], "checkpoint": f"{last['size']}:{last['root']}",
            "receipts": report["receipts"]}


@pytest.fixture(scope="module")
def fleet(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("fleet")
    jobs = {name: run_job(base, name, *spec) for name, spec in JOBS.items()}
    tamper(jobs["docs"]["artifact"] / "work" / "web" / "web" / ".vectimus" / "receipts")
    return {"base": base, "jobs": jobs}


def report(fleet: dict, *args: str) -> subprocess.CompletedProcess:
    env = clean_env(fleet["base"] / "auditor", BIN)
    return subprocess.run([str(BIN / "vectimus"), "report", str(fleet["base"] / "artifacts"), *args],
                          cwd=fleet["base"], env=env, capture_output=True, text=True, timeout=300)


def test_the_fleet_summary_flags_exactly_the_tampered_log(fleet):
    done = report(fleet, "--format", "json", "--sealed")
    assert done.returncode == 1, done.stderr
    data = json.loads(done.stdout)
    names = {job["name"]: job for job in data["jobs"]}
    assert set(names) == {"vectimus-build-101/work/api/api", "vectimus-docs-102/work/web/web",
                          "vectimus-release-103/work/web/web"}
    assert [j["name"] for j in data["failed_logs"]] == ["vectimus-docs-102/work/web/web"]
    assert data["failed_logs"][0]["first_failure"]["kind"] == "signature"
    assert (data["verified"], data["failed"]) == (2, 1)
    # repositories as each job's sealing checkpoint recorded them (GITHUB_REPOSITORY), not the checkout's name
    assert data["repositories"] == {"acme/api": {"jobs": 1, "decisions": {"allow": 2, "deny": 2}},
                                    "acme/web": {"jobs": 1, "decisions": {"allow": 1, "deny": 2}}}
    build = names["vectimus-build-101/work/api/api"]["provenance"]
    assert build["run_url"] == "https://github.com/acme/api/actions/runs/101" and build["job"] == "build"
    assert build["keys"] == fleet["jobs"]["build"]["keys"] and build["packs"]["secrets"]["origin"] == "bundled"
    assert data["agents"] == {"claude": {"allow": 3, "deny": 4}} and data["outcomes"] == {"allow": 3, "deny": 4}
    assert sum(sum(day.values()) for day in data["days"].values()) == 7
    top = {p["policy"]: p for p in data["top_policies"]}
    assert top["vectimus-fileint-001"]["deny"] == 2 and data["top_policies"][0]["policy"] == "vectimus-fileint-001"
    assert {(b["job"].split("/")[0], b["policies"][0]) for b in data["blocked"]} == {
        ("vectimus-build-101", "vectimus-secrets-001"), ("vectimus-build-101", "vectimus-fileint-001"),
        ("vectimus-release-103", "vectimus-destruct-006"), ("vectimus-release-103", "vectimus-fileint-001")}

    md = report(fleet)
    assert md.returncode == 1
    assert "❌ **1 of 3 job log(s) FAILED verification**" in md.stdout
    failed_section = md.stdout.split("**Logs that failed verification** (1)")[1]
    assert "vectimus-docs-102/work/web/web" in failed_section and "vectimus-build-101" not in failed_section

    page = fleet["base"] / "fleet.html"
    assert report(fleet, "--format", "html", "--output", str(page)).returncode == 1
    html = page.read_text()
    assert 'data-status="failed"' in html and "<script" not in html
    assert html.count('data-verified="false"') == 1
    assert 'data-job="vectimus-docs-102/work/web/web" data-verified="false"' in html
    failed = html.split('<div id="failed">')[1]
    assert "vectimus-docs-102" in failed and "vectimus-release-103" not in failed


def test_anchors_from_outside_the_artifact_are_checked(fleet, tmp_path):
    jobs = fleet["jobs"]
    anchors = {f"vectimus-{name}-{JOBS[name][1]}": {"keys": job["keys"], "checkpoint": job["checkpoint"]}
               for name, job in jobs.items()}
    given = tmp_path / "anchors.json"
    given.write_text(json.dumps(anchors))
    data = json.loads(report(fleet, "--format", "json", "--anchors", str(given)).stdout)
    assert [j["name"].split("/")[0] for j in data["failed_logs"]] == ["vectimus-docs-102"]
    build = next(j for j in data["jobs"] if j["name"].startswith("vectimus-build"))
    assert build["verified"] and build["anchors"]["checkpoints"] == [jobs["build"]["checkpoint"]]

    wrong_key = {**anchors, "vectimus-build-101": {"keys": ["0" * 64]}}
    cut = int(jobs["release"]["checkpoint"].split(":")[0]) + 1
    too_long = {**anchors, "vectimus-release-103": {"checkpoint": f"{cut}:{'a' * 64}"}}
    given.write_text(json.dumps({**wrong_key, **{k: v for k, v in too_long.items() if "release" in k}}))
    data = json.loads(report(fleet, "--format", "json", "--anchors", str(given)).stdout)
    failures = {j["name"].split("/")[0]: j["first_failure"]["kind"] for j in data["failed_logs"]}
    assert failures == {"vectimus-build-101": "keys", "vectimus-docs-102": "signature",
                        "vectimus-release-103": "truncated"}


@pytest.mark.browser
def test_the_fleet_page_as_a_person_sees_it(fleet, tmp_path):
    from tests.support.ci.png import colour_counts, pixels
    from tests.support.ci.browser import DENY_RED, GREEN_BANNER, RED_BANNER, chromium, text_of

    page = tmp_path / "fleet.html"
    assert report(fleet, "--format", "html", "--output", str(page)).returncode == 1
    dom = chromium(page, tmp_path, "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    text = text_of(dom.stdout)
    assert "✗ Verification FAILED — do not trust the logs listed below" in text
    assert "Denied and escalated calls (4)" in text and "Logs that failed verification (1)" in text
    shot = tmp_path / "fleet.png"
    # A window tall enough for the whole page: where the day's bar falls depends on the fonts installed.
    done = chromium(page, tmp_path, f"--screenshot={shot}", height=2400)
    assert done.returncode == 0 and shot.exists(), done.stderr[-2000:]
    width, height, rows = pixels(shot.read_bytes())
    assert (width, height) == (1280, 2400)
    colours = colour_counts(shot.read_bytes())
    assert colours[RED_BANNER] > 20000 and colours[GREEN_BANNER] == 0  # the failed banner, and the failed row
    assert colours[DENY_RED] > 3000  # the day's bar, the deny badges and the denials' edges
    assert sum(bytes(DENY_RED) * 100 in row for row in rows) >= 12  # the day's bar: 16 rows of a wide red run

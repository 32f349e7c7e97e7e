"""The GitHub Actions path with vectimus-otel and a collector: every receipt arrives, an outage loses none.

The rehearsed job (``scenario.Job``) runs with ``OTEL_EXPORTER_OTLP_ENDPOINT`` pointing at a real
OTLP/HTTP endpoint started by the test (``tests/support/otlp.py``). Mid-session the
endpoint goes down: the agent's calls get the same answers, the decisions wait in the spool, and
once the endpoint is back they arrive; at the end there is one log record per signed receipt.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.support.ci.scenario import ROOT, Job
from tests.support.ci.rehearsal import drive_session

pytest.importorskip("vectimus_otel")
sys.path.insert(0, str(ROOT / "plugins" / "otel" / "tests"))
from tests.support.otlp import Receiver


@pytest.fixture
def receiver():
    endpoint = Receiver()
    yield endpoint
    endpoint.close()


def test_every_receipt_of_a_ci_job_reaches_the_collector_through_an_outage(tmp_path, receiver):
    job = Job(tmp_path / "job", Path(sys.executable).parent)
    job.env.update(OTEL_EXPORTER_OTLP_ENDPOINT=receiver.url, GITHUB_SHA="0123abcd" * 5, GITHUB_WORKFLOW="agent")
    job.run("vectimus", "init", "--ci")
    doctor = json.loads(job.run("vectimus", "doctor", "--json").stdout)
    assert doctor["ok"], doctor
    sink = next(c for c in doctor["checks"] if c["check"] == "receipt sink otel")
    assert "0 pending" in sink["detail"], sink  # doctor's canaries went straight out

    before = drive_session(job)
    receiver.down()
    during = drive_session(job)
    assert during == before  # the collector being down changes no answer
    waiting = json.loads(job.run("vectimus", "otel", "status", "--json", check=False).stdout)
    assert waiting["pending"] >= len(during) and waiting["dropped"] == 0, waiting
    receiver.up()
    end = job.session_end()
    assert (end.returncode, end.stdout) == (0, ""), end.stderr
    flushed = job.run("vectimus", "otel", "flush", "--timeout", "60", "--json")
    state = json.loads(flushed.stdout)
    assert (state["pending"], state["dropped"]) == (0, 0), state

    report = json.loads(job.run("vectimus", "verify", "--json").stdout)
    logs = receiver.wait_for(report["receipts"])
    seqs = {log["attributes"]["vectimus.receipt.seq"] for log in logs}
    assert seqs == set(range(report["receipts"]))  # every receipt, none missing (at least once)
    assert {log["attributes"]["vectimus.log.id"] for log in logs} == {report["log"]}
    assert {log["attributes"]["vectimus.key.id"] for log in logs} == set(report["keys_used"])
    attributes = logs[-1]["attributes"]
    assert attributes["vcs.repository.url.full"] == "https://github.com/acme/app"
    assert attributes["cicd.pipeline.run.id"] == "4242" and attributes["cicd.pipeline.task.name"] == "agent"
    assert attributes["cicd.pipeline.run.url.full"] == "https://github.com/acme/app/actions/runs/4242"
    assert attributes["vcs.ref.head.revision"] == "0123abcd" * 5
    decisions = [log["attributes"]["vectimus.decision"] for log in logs]
    assert decisions.count("deny") >= 6 + len([c for c in doctor["checks"] if c["check"] == "canary denied"])
    assert "<code>otel</code>" in job.summary.read_text()
    job.run("vectimus", "daemon", "stop", check=False)

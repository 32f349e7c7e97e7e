"""Decisions through the installed hook to a real OTLP/HTTP endpoint: up, down, slow, refusing, back."""

from __future__ import annotations

import json
import subprocess
import time

import pytest
from tests.support.otel import daemon_log, signed_receipts

SECRET = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
CONTENT = "print('the body of a file the agent wrote')\n"


def answers(results) -> list[tuple]:
    return [(r.rc, r.stdout, r.stderr) for r in results]


def digests(logs: list[dict]) -> set[str]:
    return {log["attributes"]["vectimus.receipt.digest"] for log in logs}


def test_every_decision_arrives_with_its_attributes_and_its_signed_receipt(otel):
    project, receiver = otel.project, otel.receiver
    otel.call("rm -rf /", tool_use="toolu_rm")
    otel.call("git status", tool_use="toolu_status")
    otel.call(f"curl -H 'Authorization: token {SECRET}' https://api.github.com/user", tool_use="toolu_secret")
    project.call(project.hook_command(), project.claude_event(
        "Write", {"file_path": str(project.root / "src" / "new.py"), "content": CONTENT},
        session_id="otel-session", tool_use_id="toolu_write"))
    assert receiver.requests == []  # deciding sends nothing: the hook only spooled

    end, _ = otel.session_end()
    assert (end.rc, end.stdout, end.stderr) == (0, "", "")
    receipts = signed_receipts(project.root)
    logs = receiver.wait_for(len(receipts))
    assert len(logs) == len(receipts) == 4
    head = project.run("git", "rev-parse", "HEAD").stdout.strip()
    branch = project.run("git", "branch", "--show-current").stdout.strip()
    by_seq = {log["attributes"]["vectimus.receipt.seq"]: log for log in logs}
    for receipt in receipts:
        log = by_seq[receipt["seq"]]
        a = log["attributes"]
        assert a["vectimus.receipt.digest"] == receipt["_digest"]
        assert a["vectimus.key.id"] == receipt["_key"]
        assert a["vectimus.log.id"] == receipt["log"]
        assert a["vectimus.decision"] == receipt["decision"]
        assert a.get("vectimus.policy.ids", []) == receipt["policies"]
        assert a["session.id"] == "otel-session" and a["gen_ai.agent.name"] == "claude"
        assert a["gen_ai.tool.call.id"] == receipt["tool_use"]
        assert a["gen_ai.tool.name"] == receipt["call"]["tool"]
        assert a["vectimus.mode"] == "enforce" and a["vectimus.principal.identity_type"] == "agent"
        assert (a["vcs.ref.head.revision"], a["vcs.ref.head.name"]) == (head, branch)
        assert log["event_name"] == "vectimus.decision" and log["resource"]["service.name"] == "vectimus"
        assert log["time_unix_nano"] > 0
    rm = next(log for log in logs if log["attributes"]["gen_ai.tool.call.id"] == "toolu_rm")
    assert rm["attributes"]["vectimus.policy.ids"] == ["vectimus-destruct-001"]
    assert "deny file_delete /" in rm["attributes"]["vectimus.actions"]
    assert (rm["severity_text"], rm["severity_number"]) == ("WARN", 13)
    assert rm["body"].startswith("deny Bash: Blocked by Vectimus policy vectimus-destruct-001")
    raw = json.dumps(receiver.logs)
    assert SECRET not in raw and CONTENT.strip() not in raw and "api.github.com/user" not in raw
    state = otel.status()
    assert (state["ok"], state["spooled"], state["sent"], state["pending"], state["dropped"]) == (True, 4, 4, 0, 0)


def test_an_outage_loses_nothing_and_changes_no_decision(otel):
    otel.configure(flush_timeout=1)
    commands = ["rm -rf /", "git status", "cat .env", "ls src"]
    otel.receiver.down()
    during = [otel.call(c, tool_use=f"toolu_down_{i}") for i, c in enumerate(commands)]
    end, took = otel.session_end()
    assert (end.rc, end.stdout) == (0, "") and took < 15
    state = otel.status()
    assert (state["ok"], state["spooled"], state["sent"], state["pending"]) == (False, 4, 0, 4)
    assert state["last_error"]

    otel.receiver.up()
    after = [otel.call(c, tool_use=f"toolu_up_{i}") for i, c in enumerate(commands)]
    assert answers(during) == answers(after)
    assert [json.loads(r.stdout)["hookSpecificOutput"]["permissionDecision"] if r.stdout else "allow"
            for r in during] == ["deny", "allow", "deny", "allow"]
    flushed = otel.otel("flush", "--timeout", "30", "--json")
    assert flushed.returncode == 0, flushed.stdout + flushed.stderr
    receipts = signed_receipts(otel.project.root)
    logs = otel.receiver.wait_for(8)
    assert len(logs) == len(receipts) == 8 and digests(logs) == {r["_digest"] for r in receipts}
    state = json.loads(flushed.stdout)
    assert (state["ok"], state["sent"], state["pending"], state["dropped"]) == (True, 8, 0, 0)
    assert "last_error" not in state


def test_a_slow_endpoint_holds_up_no_decision_and_the_session_end_only_within_its_budget(otel):
    otel.configure(flush_timeout=1)
    otel.receiver.slow(20)
    results = [otel.call("git status", tool_use=f"toolu_slow_{i}") for i in range(3)]
    assert all(r.rc == 0 and r.stdout == "" for r in results)
    assert otel.receiver.requests == [] and otel.receiver.headers == []  # nothing waited on the collector
    end, took = otel.session_end()
    assert end.rc == 0 and took < 10
    assert otel.receiver.headers  # it was tried, and given up on after the budget
    assert otel.status()["pending"] == 3

    otel.receiver.up()
    assert otel.otel("flush", "--timeout", "30").returncode == 0
    receipts = signed_receipts(otel.project.root)
    logs = otel.receiver.wait_for(3)
    assert digests(logs) == {r["_digest"] for r in receipts}  # at least once: the slow answer may land too


@pytest.mark.parametrize("status", [503, 401])
def test_a_refusing_endpoint_keeps_the_decisions_until_it_accepts_them(otel, status):
    otel.configure(flush_timeout=2)
    otel.receiver.refusing(status)
    denied = otel.call("rm -rf /", tool_use="toolu_refused")
    assert '"deny"' in denied.stdout
    otel.session_end()
    state = otel.status()
    assert (state["ok"], state["pending"], state["sent"]) == (False, 1, 0)
    assert str(status) in state["last_error"] or "Service Unavailable" in state["last_error"]
    assert ("/v1/logs", status) in otel.receiver.requests

    otel.receiver.up()
    assert otel.otel("flush", "--timeout", "30").returncode == 0
    assert [log["attributes"]["gen_ai.tool.call.id"] for log in otel.receiver.wait_for(1)] == ["toolu_refused"]


def test_a_full_spool_drops_and_counts_but_changes_no_decision(otel):
    otel.configure(spool_max_mb=0.002)  # room for one or two decisions
    otel.receiver.down()
    results = [otel.call("git status", tool_use=f"toolu_full_{i}") for i in range(5)]
    assert all(r.rc == 0 and r.stdout == "" for r in results)
    state = otel.status()
    assert state["spooled"] >= 1 and state["dropped"] >= 1 and state["spooled"] + state["dropped"] == 5
    assert not state["ok"]


def test_without_an_endpoint_nothing_is_spooled(installed):
    installed.env["VECTIMUS_DAEMON"] = "0"
    installed.call(installed.hook_command(), installed.claude_event("Bash", {"command": "git status"}))
    assert not (installed.home / ".vectimus" / "otel" / "spool.jsonl").exists()
    state = json.loads(installed.run("vectimus", "otel", "status", "--json").stdout)
    assert state["enabled"] is False and state["ok"]


def test_spans_join_the_agents_trace_or_one_trace_per_session(otel):
    parent_trace, parent_span = "ab" * 16, "cd" * 8
    traced = {"OTEL_TRACES_EXPORTER": "otlp", "TRACEPARENT": f"00-{parent_trace}-{parent_span}-01"}
    otel.call("rm -rf /", tool_use="toolu_t1", env=traced)
    otel.call("git status", tool_use="toolu_t2", env={"OTEL_TRACES_EXPORTER": "otlp"}, session="other")
    otel.call("ls", tool_use="toolu_t3", env={"OTEL_TRACES_EXPORTER": "otlp"}, session="other")
    otel.session_end(env={"OTEL_TRACES_EXPORTER": "otlp"})
    logs = {log["attributes"]["gen_ai.tool.call.id"]: log for log in otel.receiver.wait_for(3)}
    deadline = time.monotonic() + 10
    while len(otel.receiver.spans) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    spans = {s["attributes"]["gen_ai.tool.call.id"]: s for s in otel.receiver.spans}
    assert set(spans) == set(logs) == {"toolu_t1", "toolu_t2", "toolu_t3"}
    assert (spans["toolu_t1"]["trace_id"], spans["toolu_t1"]["parent_span_id"]) == (parent_trace, parent_span)
    assert spans["toolu_t2"]["trace_id"] == spans["toolu_t3"]["trace_id"] != parent_trace
    assert spans["toolu_t2"]["parent_span_id"] == ""
    for tool_use, span in spans.items():  # each log record points at its decision's span
        assert (logs[tool_use]["trace_id"], logs[tool_use]["span_id"]) == (span["trace_id"], span["span_id"])
        assert span["name"] == "vectimus decision Bash"


def test_the_resident_evaluator_exports_in_the_background_and_catches_up_after_an_outage(otel_daemon, rundir):
    otel = otel_daemon
    otel.configure(timeout=1)  # each export attempt gives up after 1 s: the daemon's back-off takes over
    otel.project.run("vectimus", "daemon", "start")
    first = [otel.call(c, tool_use=f"toolu_d{i}") for i, c in enumerate(["rm -rf /", "git status"])]
    assert len(otel.receiver.wait_for(2, timeout=20)) == 2  # no session end: the daemon sent them

    otel.receiver.down()
    started = time.monotonic()
    during = [otel.call(c, tool_use=f"toolu_o{i}") for i, c in enumerate(["rm -rf /", "git status"])]
    assert time.monotonic() - started < 20
    assert answers(during) == answers(first)
    time.sleep(4)  # the background exporter fails, backs off, fails again
    otel.receiver.up()
    logs = otel.receiver.wait_for(4, timeout=40)
    receipts = signed_receipts(otel.project.root)
    assert len(receipts) == 4 and digests(logs) == {r["_digest"] for r in receipts}
    otel.project.run("vectimus", "daemon", "stop")
    log = daemon_log(rundir)
    assert "failed, retrying with back-off" in log and "works again" in log
    assert "stopped after 4 requests" in log, log  # every call was answered by the daemon


def test_the_daemon_sends_what_in_process_hooks_spooled_before_it_started(otel_daemon, rundir):
    otel = otel_daemon
    spooled = otel.call("rm -rf /", tool_use="toolu_before", env={"VECTIMUS_DAEMON": "0"})
    assert '"deny"' in spooled.stdout and otel.receiver.requests == []
    otel.project.run("vectimus", "daemon", "start")
    logs = otel.receiver.wait_for(1, timeout=20)
    assert [log["attributes"]["gen_ai.tool.call.id"] for log in logs] == ["toolu_before"]


def test_the_hook_process_never_imports_the_sdk(otel):
    python, *rest = otel.project.hook_command().split(" || ")[0].split()
    event = otel.project.claude_event("Bash", {"command": "rm -rf /"}, tool_use_id="toolu_lean")
    out = subprocess.run([python, "-X", "importtime", *rest], input=json.dumps(event).encode(),
                         cwd=otel.project.root, env=otel.project.env, capture_output=True, timeout=60)
    assert b'"deny"' in out.stdout
    modules = {line.split("|")[-1].strip() for line in out.stderr.decode().splitlines() if "|" in line}
    assert "vectimus_otel.sink" in modules and "vectimus_otel.spool" in modules  # it did spool
    assert not {m for m in modules if m.startswith(("opentelemetry", "google", "requests", "urllib3"))}
    assert "vectimus_otel.background" not in modules and "threading" not in modules  # the daemon's alone
    assert otel.status()["pending"] == 1


def test_status_doctor_and_the_job_summary_show_the_counts(otel):
    summary = otel.project.home / "step_summary"
    summary.touch()
    otel.call("rm -rf /", tool_use="toolu_s1")
    status = json.loads(otel.project.run("vectimus", "status", "--json").stdout)["sinks"]["otel"]
    assert (status["spooled"], status["sent"], status["pending"], status["enabled"]) == (1, 0, 1, True)

    doctor = json.loads(otel.project.run("vectimus", "doctor", "--json").stdout)
    check = next(c for c in doctor["checks"] if c["check"] == "receipt sink otel")
    assert doctor["ok"] and check["ok"], check
    assert "0 pending" in check["detail"] and "0 dropped" in check["detail"]
    recorded = json.loads(otel.project.run("vectimus", "report", "--format", "json").stdout)
    decisions = len(recorded["entries"]) + len(recorded["synthetic"])  # the agent's call and doctor's canaries
    logs = otel.receiver.wait_for(decisions)  # the probe sent the pending decision and doctor's canaries
    assert {log["attributes"]["vectimus.decision"] for log in logs} == {"deny"} and len(logs) == decisions

    otel.receiver.down()
    otel.configure(flush_timeout=1)
    otel.call("git status", tool_use="toolu_s2")
    end, _ = otel.session_end(env={"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_ACTIONS": "true"})
    assert end.rc == 0, end.stderr
    text = summary.read_text()
    assert "**Receipt sinks**" in text
    line = next(line for line in text.splitlines() if "<code>otel</code>" in line)
    assert line.startswith("- ⚠️") and "1 pending" in line and "last export failed" in line
    failing = otel.project.run("vectimus", "doctor", "--json", check=False)
    assert failing.returncode == 1
    assert not next(c for c in json.loads(failing.stdout)["checks"] if c["check"] == "receipt sink otel")["ok"]

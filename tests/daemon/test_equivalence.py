"""Both paths, one answer: every policy example through the daemon and in-process, byte for byte."""

from __future__ import annotations

import pytest

from vectimus.examples import judge, pack_examples
from vectimus.policies import bundled_packs_dir
from vectimus.receipts.chain import receipts_dir

from tests.support.daemon import Daemon, read_receipts

# What a receipt says about the decision (not when, nor where in the chain, it was written).
DECISION_FIELDS = ("agent", "session", "event", "call", "actions", "decision", "reason",
                   "policies", "errors", "mode", "policy_digest", "versions", "principal")

EXAMPLES = [ex for pack in sorted(bundled_packs_dir().iterdir()) if pack.is_dir()
            for ex in pack_examples(pack)]


@pytest.mark.slow  # ~900 hook processes, each example twice
def test_every_example_gives_identical_output_both_ways(project, rundir):
    project.env["XDG_RUNTIME_DIR"] = rundir
    project.init("--agent", "claude")  # as a developer installs it: ask stays ask
    project.approve_example_servers()
    command = project.hook_command()
    daemon = Daemon(project, rundir)
    in_process = [project.call(command, ex.event(project.root, project.home),
                               env={**ex.env, "VECTIMUS_DAEMON": "0"}) for ex in EXAMPLES]
    assert not (daemon.dir.exists() and list(daemon.dir.glob("*.sock"))), "VECTIMUS_DAEMON=0 started a daemon"
    daemon.start()
    via_daemon = [project.call(command, ex.event(project.root, project.home), env=ex.env) for ex in EXAMPLES]
    daemon.stop()
    assert daemon.served() == len(EXAMPLES), daemon.log()
    assert len(EXAMPLES) >= 20
    for ex, here, there in zip(EXAMPLES, in_process, via_daemon):
        assert (here.rc, here.stdout, here.stderr) == (there.rc, there.stdout, there.stderr), ex.label
    receipts = read_receipts(project.root)
    assert len(receipts) == 2 * len(EXAMPLES)
    for ex, here, there in zip(EXAMPLES, receipts, receipts[len(EXAMPLES):]):
        assert {k: here[k] for k in DECISION_FIELDS} == {k: there[k] for k in DECISION_FIELDS}, ex.label
        # judged on the receipt: an observe-level policy lets the call through and records it
        assert judge(ex, here["decision"], here["reason"]) is None
    assert [r["seq"] for r in receipts] == list(range(len(receipts)))  # one chain, both writers
    verified = project.run("vectimus", "verify", str(receipts_dir(project.root)), check=False)
    assert verified.returncode == 0, verified.stdout + verified.stderr


MALFORMED = [b"", b"{not json", b"[1, 2]", b'{"tool_name": "\xff"}',
             b'{"hook_event_name": "PreToolUse", "tool_name": "Teleport", "tool_input": {}}',
             b'{"hook_event_name": "SessionEnd", "session_id": "s"}']


def test_malformed_events_and_unknown_agents_answer_the_same_both_ways(daemon):
    project = daemon.project
    command = project.hook_command()
    unknown = command.replace("--agent claude", "--agent nosuchagent", 1)
    cases = [(command, m) for m in MALFORMED] + [(unknown, b"{}")]
    here = [project.call(c, m, env={"VECTIMUS_DAEMON": "0"}) for c, m in cases]
    daemon.start()
    there = [project.call(c, m) for c, m in cases]
    daemon.stop()
    assert daemon.served() == len(cases)
    assert [(r.rc, r.stdout, r.stderr) for r in here] == [(r.rc, r.stdout, r.stderr) for r in there]
    assert here[-1].rc == 2 and "nosuchagent" in here[-1].stderr

"""GitHub Copilot CLI (each pinned version), installed from npm, in a project where `vectimus init --ci` has run.

What every agent is tried with is in ``test_scenarios.py``; here is what is Copilot CLI's own. It
runs its own hook (``.github/hooks/vectimus.json``, camelCase events) and also Claude Code's
(``.claude/settings.local.json``, PascalCase events) for every call: both must read the call the
same way and answer alike, and the call leaves one receipt.
"""

from __future__ import annotations

import json
from collections import defaultdict

from tests.support.agents.dialects import assert_refused_by_policy


def test_both_hooks_read_each_call_alike_and_answer_alike(copilot):
    important = copilot.home / "important"
    important.mkdir()
    say = copilot.speaks
    session = copilot.session([[say.shell("rm -rf ~/important")], [say.write("notes.txt", "hi\n")]])
    assert important.is_dir() and (copilot.root / "notes.txt").read_text() == "hi\n"
    assert_refused_by_policy(say, session.result(0), "vectimus-destruct-")
    by_call = defaultdict(list)
    for receipt in session.receipts:
        by_call[receipt["tool_use"]].append(receipt)
    assert len(by_call) == 2 and all(key.startswith("copilot-") for key in by_call)
    denied, allowed = by_call.values()
    assert [r["decision"] for r in denied] == ["deny"]  # Copilot stops at the first hook that denies
    assert len(allowed) == 1  # else both hooks run: one call, one receipt
    log = copilot.home / ".vectimus" / "logs" / "evaluations.jsonl"
    judged = [e for e in map(json.loads, log.read_text().splitlines()) if e["tool_use"] == allowed[0]["tool_use"]]
    assert {e["requests"][0]["context"]["event"] for e in judged} == {"preToolUse", "PreToolUse"}
    assert {json.dumps([e["agent"], e["decision"], e["policies"]]) for e in judged} == {
        json.dumps(["copilot", "allow", []])}  # both hooks judged it, alike


def test_the_session_end_seals_the_receipt_log(copilot):
    copilot.session([[copilot.speaks.shell("ls")]])
    out = copilot.project.run("vectimus", "verify", "--sealed", "--json", check=False)
    assert out.returncode == 0 and json.loads(out.stdout)["ok"] is True, out.stdout + out.stderr

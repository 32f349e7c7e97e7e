"""What the agent is told, through the installed hook: each outcome worded for what happened.

A reason is separate sentences: the lead (blocked / needs approval / would have been blocked) with
the policy and its description, then what matched, then the alternative, then other policies.
"""

from __future__ import annotations

import json

import pytest

from vectimus import wording


def _hook(project, command: str, env: dict | None = None) -> tuple[str, str]:
    out = project.call(project.hook_command(), project.claude_event("Bash", {"command": command}), env=env)
    hso = (out.json or {}).get("hookSpecificOutput", {})
    return hso.get("permissionDecision", "allow"), hso.get("permissionDecisionReason", "")


def _recorded(project) -> list[dict]:
    """The reasons the receipts hold, newest last."""
    out = project.run("vectimus", "report", "--format", "json", check=False)
    return json.loads(out.stdout)["entries"]


@pytest.fixture
def laptop(project):
    project.init("--agent", "claude")  # a developer's install: ask stays ask
    return project


def test_deny_reads_as_sentences(laptop):
    decision, reason = _hook(laptop, "rm -rf ~")
    assert decision == "deny"
    assert reason.startswith("Blocked by Vectimus policy vectimus-destruct-001: Deletes the filesystem root")
    assert f". Matched file_delete: rm -rf ~ → {laptop.home}. Instead: Delete only" in reason
    assert "(matched:" not in reason and reason.endswith(".")


def test_ask_reads_as_needing_approval(laptop):
    decision, reason = _hook(laptop, "git push --force origin feature/login")
    assert decision == "ask"
    assert reason.startswith("Needs approval: Vectimus policy vectimus-git-002: ")
    assert "Blocked" not in reason
    assert ". Matched exec: git push --force origin feature/login. Instead: " in reason


def test_ask_where_nobody_can_answer_says_why(laptop):
    decision, reason = _hook(laptop, "git push --force origin feature/login", env={"CI": "true"})
    assert decision == "deny"
    assert reason.startswith("Blocked by Vectimus policy vectimus-git-002: ")
    assert f" {wording.NOBODY_TO_ASK['ci']}. Matched exec: " in reason


def test_observe_mode_records_would_have_been_blocked(laptop):
    decision, _ = _hook(laptop, "rm -rf ~", env={"VECTIMUS_MODE": "observe"})
    assert decision == "allow"  # the agent is not stopped ...
    last = _recorded(laptop)[-1]  # ... and the receipt says what would have happened
    assert last["decision"] == "observe"
    assert last["reason"].startswith("Would have been blocked by Vectimus policy vectimus-destruct-001: ")
    assert f" {wording.OBSERVE_MODE}. Matched file_delete: rm -rf ~ → {laptop.home}." in last["reason"]


def test_other_policies_matched_are_their_own_sentence(laptop):
    _, reason = _hook(laptop, "git push --force origin main")
    assert reason.startswith("Blocked by Vectimus policy vectimus-git-001: ")
    assert reason.endswith(". Also matched: vectimus-git-002.")


def test_adapters_that_cannot_ask_say_so():
    assert wording.told("ask", "Needs approval: Vectimus policy x: y.", "deny") == (
        "Needs approval: Vectimus policy x: y. This agent cannot ask for approval here, so the call was blocked.")
    assert wording.told("deny", "", "deny") == "Blocked by Vectimus."
    assert wording.told("ask", "", "ask") == "Needs approval (Vectimus)."


def test_one_line_keeps_an_error_short_and_named():
    assert wording.one_line("a\n  b\tc") == "a b c"
    assert wording.one_line(ValueError()) == "ValueError"
    assert wording.one_line("") == ""
    long = wording.one_line("x" * 400)
    assert len(long) == wording.MAX_LINE and long.endswith("…")
    assert wording.denied("empty hook input") == "Vectimus denied this call: empty hook input"

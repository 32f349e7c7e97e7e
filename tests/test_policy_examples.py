"""Every example of every bundled policy, through the full hook path of an installed project."""

from __future__ import annotations

import pytest

from vectimus.examples import Recorded, judge, pack_examples
from vectimus.policies import bundled_packs_dir

EXAMPLES = [ex for pack in sorted(bundled_packs_dir().iterdir()) if pack.is_dir()
            for ex in pack_examples(pack)]


def test_every_policy_has_both_kinds_of_example():
    from vectimus.config import load_config
    from vectimus.policies import build_policy_set, packs_in

    policy_set = build_policy_set(packs_in(bundled_packs_dir(), "bundled"))
    for pid in policy_set.policies:
        kinds = {ex.expect for ex in EXAMPLES if ex.policy == pid}
        assert kinds == {"block", "allow"}, f"{pid} lacks {({'block', 'allow'} - kinds)} examples"
    assert load_config  # the set above is the one every default install evaluates


@pytest.fixture(scope="module")
def recorded(examples_project) -> Recorded:
    return Recorded(examples_project[0].root)


@pytest.mark.parametrize("n, example", list(enumerate(EXAMPLES)),
                         ids=[f"{e.policy}:{e.expect}:{e.label[:60]}" for e in EXAMPLES])
def test_example_through_hook(n, example, examples_project, recorded):
    project, command = examples_project
    tool_use = f"toolu_example_{n}"
    result = project.call(command, example.event(project.root, project.home, tool_use), env=example.env)
    assert result.rc == 0, result.stderr
    hso = (result.json or {}).get("hookSpecificOutput", {})
    decision, reason = hso.get("permissionDecision", "allow"), hso.get("permissionDecisionReason", "")
    if decision == "allow":  # let through, but perhaps observed: the receipt says
        decision, reason = recorded.get(tool_use) or (decision, reason)
    else:  # the receipt keeps the reason the agent was told, the policy's words verbatim
        assert recorded.get(tool_use) == (decision, reason)
    problem = judge(example, decision, reason)
    assert problem is None, problem

"""Every example of every bundled policy, through the hook's respond path in an installed project
(in-process, as the resident evaluator answers), and a smoke set through the installed command."""

from __future__ import annotations

import json

import pytest

from vectimus.daemon.cache import EvaluationCache
from vectimus.examples import Recorded, judge, pack_examples
from vectimus.hook.respond import respond
from vectimus.policies import bundled_packs_dir
from vectimus.sandbox import Sandbox, answer

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


@pytest.fixture(scope="module")
def evaluations() -> EvaluationCache:
    """Evaluations kept warm across examples, as the resident evaluator keeps them."""
    return EvaluationCache()


def judged(example, n: int, project, recorded: Recorded, ask) -> str | None:
    """Send ``example`` as Claude Code's event through ``ask(event, env)``; what is wrong, or None."""
    tool_use = f"toolu_example_{n}"
    decision, reason = answer(ask(example.event(project.root, project.home, tool_use), example.env))
    if decision == "allow":  # let through, but perhaps observed: the receipt says
        decision, reason = recorded.get(tool_use) or (decision, reason)
    else:  # the receipt keeps the reason the agent was told, the policy's words verbatim
        assert recorded.get(tool_use) == (decision, reason)
    return judge(example, decision, reason)


@pytest.mark.parametrize("n, example", list(enumerate(EXAMPLES)),
                         ids=[f"{e.policy}:{e.expect}:{e.label[:60]}" for e in EXAMPLES])
def test_example(n, example, examples_project, recorded, evaluations):
    """Every example through the hook's own ``respond`` (what the hook process and the resident
    evaluator both run), in this process: the event as Claude Code sends it, the project's
    environment, the answer rendered for Claude Code, the receipt written."""
    project, _ = examples_project

    def ask(event: dict, env: dict):
        return respond("claude", json.dumps(event).encode(), {**project.env, **env}, evaluations.get)

    problem = judged(example, n, project, recorded, ask)
    assert problem is None, problem


SMOKE = [next(ex for ex in EXAMPLES if ex.pack == pack and ex.expect == expect)
         for pack in dict.fromkeys(ex.pack for ex in EXAMPLES) for expect in ("block", "allow")
         if any(ex.pack == pack and ex.expect == expect for ex in EXAMPLES)]


@pytest.mark.parametrize("n, example", [(EXAMPLES.index(ex), ex) for ex in SMOKE],
                         ids=[f"{e.pack}:{e.expect}:{e.label[:60]}" for e in SMOKE])
def test_example_through_the_installed_hook(n, example, examples_project, recorded):
    """A block and an allow example of every pack through the exact command init installed, run by
    /bin/sh as Claude Code runs it: the in-process examples above take the same path after it."""
    project, command = examples_project

    def ask(event: dict, env: dict):
        return Sandbox.call(project, command, event, env)

    problem = judged(example, n + len(EXAMPLES), project, recorded, ask)
    assert problem is None, problem

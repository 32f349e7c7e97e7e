"""Factory Droid (each pinned version), installed from npm, in a project where `vectimus init --ci` has run.

What every agent is tried with is in ``test_scenarios.py``; here is what is Droid's own: the
``hooks.json`` shape it accepts, its own hook config, and the session's end sealing the log.
"""

from __future__ import annotations

import json

from tests.support.agents.dialects import assert_refused_by_policy
from tests.support.agents.mockmodel import ToolUse


def test_the_agent_cannot_rewrite_its_own_hook_config(droid):
    hooks = droid.root / ".factory" / "hooks.json"
    before = hooks.read_text()
    assert "hooks" not in json.loads(before)  # the shape Droid reads: events at the top level
    say = droid.speaks
    session = droid.session([
        [ToolUse("Create", {"file_path": str(hooks), "content": "{}\n"})],
        [say.shell("echo '{}' > .factory/hooks.json")],
    ])
    assert hooks.read_text() == before
    assert_refused_by_policy(say, session.result(0), "vectimus-fileint-004")
    assert_refused_by_policy(say, session.result(1), "vectimus-fileint-004")


def test_the_session_end_seals_the_receipt_log(droid):
    droid.session([[droid.speaks.shell("ls")]])
    out = droid.project.run("vectimus", "verify", "--sealed", "--json", check=False)
    assert out.returncode == 0 and json.loads(out.stdout)["ok"] is True, out.stdout + out.stderr

"""OpenCode (each pinned version), installed from npm, in a project where `vectimus init --ci` has run.

What every agent is tried with is in ``test_scenarios.py``; here is what is OpenCode's own: the
plugin init writes is what guards the tools, OpenCode skips a plugin it cannot load without a
word, and `vectimus doctor` is what notices.
"""

from __future__ import annotations

import json
import os

from tests.support.agents.dialects import assert_refused_by_policy
from tests.support.agents.mockmodel import ToolUse

PLUGIN = os.path.join(".opencode", "plugins", "vectimus.js")


def test_a_shell_command_in_the_workflows_folder_writes_nothing_there(opencode):
    workflows = opencode.root / ".github" / "workflows"
    workflows.mkdir(parents=True)
    session = opencode.session([
        [ToolUse("bash", {"command": "cat > x.yml <<'EOF'\non: push\nEOF", "description": "write",
                          "workdir": str(workflows)})],
    ])
    assert list(workflows.iterdir()) == []
    assert_refused_by_policy(opencode.speaks, session.result(0), "vectimus-fileint-001")


def doctor(agent) -> tuple[int, dict]:
    """`vectimus doctor --json` with this OpenCode on PATH, as a user who has it installed."""
    path = f"{agent.exe.parent}{os.pathsep}{agent.project.env['PATH']}"
    out = agent.project.run("vectimus", "doctor", "--json", check=False, env={"PATH": path})
    return out.returncode, json.loads(out.stdout)


def plugin_check(report: dict) -> dict:
    [check] = [c for c in report["checks"] if (c["agent"], c["check"]) == ("opencode", "plugin loads")]
    return check


def test_doctor_finds_a_plugin_opencode_cannot_load_and_so_skips(opencode):
    rc, report = doctor(opencode)
    assert plugin_check(report)["ok"] is True and "opencode" in plugin_check(report)["detail"]
    plugin = opencode.root / PLUGIN
    plugin.write_text(plugin.read_text().replace("export const VectimusPlugin", "export const VectimusPlugin ="))
    rc, report = doctor(opencode)
    assert rc == 1 and plugin_check(report)["ok"] is False
    assert "cannot load" in plugin_check(report)["detail"]
    # ... and the trap it guards against: OpenCode runs every tool, unguarded, without a word
    session = opencode.session([[opencode.speaks.shell("mkdir -p .github/workflows && echo x > .github/workflows/x.yml")]],
                               expect_receipts=0)
    assert (opencode.root / ".github" / "workflows" / "x.yml").exists(), session.run.describe()

"""The Codex CLI (each pinned version), installed from npm, in a project where `vectimus init --ci` has run.

What every agent is tried with is in ``test_scenarios.py``; here is what is Codex's own. Codex
writes most files through shell heredocs and ``apply_patch``, has no hookable Read, and loads
MCP tools through ``tool_search``; the scripted model does what a real one would. Each test
asserts on the world afterwards, with an ordinary call alongside as the control.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.agents.dialects import Codex, assert_refused_by_policy
from tests.support.agents.mockmodel import ToolResult, ToolUse


def shell(command: str, **options) -> ToolUse:
    return ToolUse("exec_command", {"cmd": command, **options})


def patch(*sections: str) -> ToolUse:
    return ToolUse("apply_patch", "*** Begin Patch\n" + "".join(sections) + "*** End Patch\n")


def assert_denied_by_policy(result, policy: str | None = None) -> None:
    assert_refused_by_policy(Codex(Path()), result, policy)


def test_write_from_a_workdir_inside_the_workflows_folder_does_not_happen(codex):
    """exec_command's ``workdir`` reaches the hook as the event's cwd: relative targets resolve there."""
    workflows = codex.root / ".github" / "workflows"
    workflows.mkdir(parents=True)
    session = codex.session([
        [shell("cat > x.yml <<'EOF'\non: push\nEOF", workdir=".github/workflows")],
        [shell("echo built > out.txt", workdir="src")],
    ])
    assert list(workflows.iterdir()) == []
    assert_denied_by_policy(session.result(0), "vectimus-fileint-001")
    assert (codex.root / "src" / "out.txt").read_text() == "built\n"


def test_apply_patch_to_ci_workflow_does_not_happen(codex):
    workflow = codex.root / ".github" / "workflows" / "y.yml"
    session = codex.session([
        [patch("*** Add File: .github/workflows/y.yml\n+on: push\n")],
        [patch("*** Add File: src/util.py\n+X = 1\n",
               "*** Update File: src/app.py\n@@\n-print('hello')\n+print('hello, world')\n")],
    ])
    assert not workflow.exists()
    assert_denied_by_policy(session.result(0), "vectimus-fileint-001")
    assert (codex.root / "src" / "util.py").read_text() == "X = 1\n"
    assert (codex.root / "src" / "app.py").read_text() == "print('hello, world')\n"


def test_apply_patch_cannot_delete_governance_files(codex):
    hooks = codex.root / ".codex" / "hooks.json"
    before = hooks.read_text()
    session = codex.session([[patch("*** Delete File: .codex/hooks.json\n")]])
    assert hooks.read_text() == before
    assert_denied_by_policy(session.result(0), "vectimus-fileint-004")


def test_agent_cannot_remove_vectimus_through_the_shell(codex):
    session = codex.session([[shell("vectimus remove")]])
    assert_denied_by_policy(session.result(0), "vectimus-destruct-006")
    assert "--agent codex" in (codex.root / ".codex" / "hooks.json").read_text()



# Codex itself refuses `rm -f`-style commands before running them, so the test uses `rm -r`.
@pytest.mark.parametrize("command", ["bash -c 'rm -r ~/important'"])
def test_recursive_delete_of_home_data_does_not_happen(codex, command):
    important = codex.home / "important"
    important.mkdir()
    (important / "keep.txt").write_text("precious\n")
    session = codex.session([[shell(command)]])
    assert (important / "keep.txt").read_text() == "precious\n"
    assert_denied_by_policy(session.result(0))


NEEDS_INTERACTIVE_SHELL_POLICY = pytest.mark.xfail(
    strict=True, reason="needs a policy denying interactive shells for Codex: its write_stdin "
                        "input to a running session reaches no hook")


def write_to_reported_session(chars: str):
    """A model step that types ``chars`` into the session the previous command reported."""
    def step(results: dict[str, ToolResult]) -> list[ToolUse]:
        reported = re.search(r"session ID (\d+)", results.get("s0c0", ToolResult("")).text)
        if not reported:
            return []
        return [ToolUse("write_stdin", {"session_id": int(reported.group(1)), "chars": chars,
                                        "yield_time_ms": 1000}, hooked=False)]
    return step


@NEEDS_INTERACTIVE_SHELL_POLICY
def test_commands_typed_into_an_interactive_shell_do_not_run(codex):
    """Codex hooks exec_command but not write_stdin: an interactive shell would be a blind spot."""
    session = codex.session([
        [shell("bash", tty=True, yield_time_ms=500)],
        write_to_reported_session("mkdir -p .github/workflows && echo pwn > .github/workflows/x.yml\nexit\n"),
    ])
    assert not (codex.root / ".github" / "workflows" / "x.yml").exists()
    assert_denied_by_policy(session.result(0))

"""The same scenarios for every agent CLI, each pinned version, after `vectimus init --ci`.

Each scenario is one session of the real CLI against the scripted model, spelled the way that
agent's model spells it (``tests/support/agents/dialects.py``), and asserts on the world afterwards: the directory is
still there, the file was never written, the MCP server never saw the call; what came back to
the model names the policy; the ordinary calls in the same session happened. Every session also
leaves exactly one receipt per hooked tool call (``Agent.session``), so an agent that skipped its
hook fails here, and the log verifies.
"""

from __future__ import annotations

import json

from tests.support.agents.dialects import assert_refused_by_policy


def assert_log_verifies(agent) -> None:
    out = agent.project.run("vectimus", "verify", "--json", check=False)
    report = json.loads(out.stdout)
    assert out.returncode == 0 and report["ok"] is True, out.stdout + out.stderr
    assert report["receipts"] == len(agent.receipts())


def test_recursive_delete_of_home_data_leaves_the_directory(agent):
    important = agent.home / "important"
    important.mkdir()
    (important / "keep.txt").write_text("precious\n")
    (agent.root / "build").mkdir()
    say = agent.speaks
    session = agent.session([
        [say.shell(f"rm {say.rm_flags} ~/important")],
        [say.shell(f"cd /tmp && rm {say.rm_flags_spelled_otherwise} ~/important")],
        [say.shell(f"rm {say.rm_flags} build")],
    ])
    assert (important / "keep.txt").read_text() == "precious\n"
    assert_refused_by_policy(say, session.result(0), "vectimus-destruct-")
    assert_refused_by_policy(say, session.result(1), "vectimus-destruct-")
    assert not (agent.root / "build").exists(), session.result(2)  # the agent deletes what it may
    assert session.decisions() == ["deny", "deny", "allow"]
    assert_log_verifies(agent)


def test_a_write_into_ci_workflows_leaves_no_file(agent):
    say = agent.speaks
    workflows = agent.root / ".github" / "workflows"
    session = agent.session([
        [say.write(".github/workflows/x.yml", "on: push\njobs: {}\n")],
        [say.shell("mkdir -p .github/workflows && cat > .github/workflows/y.yml <<'EOF'\non: push\nEOF")],
        [say.write("src/notes.md", "ordinary notes\n")],  # (Copilot creates no missing folders)
    ])
    assert not (workflows / "x.yml").exists() and not (workflows / "y.yml").exists()
    assert_refused_by_policy(say, session.result(0), "vectimus-fileint-001")
    assert_refused_by_policy(say, session.result(1), "vectimus-fileint-001")
    assert (agent.root / "src" / "notes.md").read_text() == "ordinary notes\n"
    assert_log_verifies(agent)


def test_a_read_of_the_env_file_comes_back_as_a_policy_error(agent):
    say = agent.speaks
    session = agent.session([[say.read_env_file()], [say.read("README.md")]])
    assert_refused_by_policy(say, session.result(0), "vectimus-secrets-")
    assert not any("not-a-real-secret" in r.text for r in session.model.results.values())
    assert "# app" in session.result(1).text and not say.refused(session.result(1))
    assert_log_verifies(agent)


def test_a_call_to_an_unapproved_mcp_server_never_reaches_it(agent):
    agent.declare_mcp_server("testsrv")
    say = agent.speaks
    steps = say.mcp("testsrv", "delete_repo", {"repo": "acme/prod"})
    session = agent.session(steps)
    assert session.mcp_calls() == []
    assert_refused_by_policy(say, session.result(len(steps) - 1), "vectimus-mcp-")
    assert_log_verifies(agent)


def test_ordinary_shell_commands_and_file_writes_happen(agent):
    say = agent.speaks
    session = agent.session([
        [say.shell("mkdir -p build && echo ok > build/out.txt && git status --short")],
        [say.write("src/util.py", "X = 1\n")],
    ])
    assert (agent.root / "build" / "out.txt").read_text() == "ok\n"
    assert (agent.root / "src" / "util.py").read_text() == "X = 1\n"
    assert "build/" in session.result(0).text
    assert not any(say.refused(session.result(step)) for step in (0, 1))
    assert session.decisions() == ["allow", "allow"]
    assert_log_verifies(agent)

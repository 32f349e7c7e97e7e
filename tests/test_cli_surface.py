"""The CLI as a new user meets it: --version, help for every command, markup shown as written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import vectimus
from vectimus.cli import build_app

VECTIMUS = str(Path(sys.executable).parent / "vectimus")
BUILTIN_GROUPS = {"policy", "pack", "rule", "mcp", "daemon"}
ADAPTERS = ("vectimus-claude", "vectimus-codex", "vectimus-copilot", "vectimus-cursor", "vectimus-otel")


def _commands(command, path: tuple[str, ...] = ()):
    """Every command path in the CLI, groups included."""
    yield path
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands(sub, (*path, name))


def _builtin(root, path: tuple[str, ...]) -> bool:
    """Whether the command at ``path`` is one of vectimus's own (not a plugin's)."""
    command = root
    for name in path:
        command = command.commands[name]
    if path[0] in BUILTIN_GROUPS:
        return True
    return command.callback is not None and command.callback.__module__.startswith("vectimus.cli")


@pytest.fixture(scope="module")
def cli() -> typer.Typer:
    return build_app()


def test_version_names_core_and_every_adapter_at_one_version():
    out = subprocess.run([VECTIMUS, "--version"], capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()
    assert lines[0] == f"vectimus {vectimus.__version__}"
    for dist in ADAPTERS:
        assert f"  {dist} {vectimus.__version__}" in lines


def test_hook_is_listed_and_has_help_that_is_not_a_deny():
    top = subprocess.run([VECTIMUS, "--help"], capture_output=True, text=True, check=True).stdout
    assert any(line.split()[:1] == ["hook"] for line in top.splitlines())
    for flag in ("--help", "-h"):
        out = subprocess.run([VECTIMUS, "hook", flag], capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        assert out.stdout.startswith("Usage: vectimus hook") and "--agent NAME" in out.stdout
        assert "denied" not in out.stdout + out.stderr
    # Without --help it is still the hook: no agent is a deny (exit 2), whatever is on stdin.
    bare = subprocess.run([VECTIMUS, "hook"], input="", capture_output=True, text=True)
    assert bare.returncode == 2 and "denied" in bare.stderr and bare.stdout == ""


def test_no_help_page_labels_a_flag_with_its_type(cli):
    runner = CliRunner()
    root = typer.main.get_command(cli)
    paths = list(_commands(root))
    assert len(paths) > 25
    for path in paths:
        result = runner.invoke(cli, [*path, "--help"], prog_name="vectimus")
        assert result.exit_code == 0, (path, result.output)
        assert "<bool>" not in result.output, (path, result.output)
        listing = result.output.partition("Commands:")[2]
        cut = [line.split()[0] for line in listing.splitlines() if line.endswith("...")]
        assert not [name for name in cut if _builtin(root, (*path, name))], (path, listing)  # whole summaries
        options = result.output.partition("Options:")[2]
        assert "<list[str]>" not in options, (path, result.output)  # options name their values


@pytest.mark.parametrize("path, literal", [
    (("mcp", "allow"), "[mcp] allowed"),
    (("policy", "update"), "[update] url"),
    (("daemon", "start"), "[daemon] settings"),
])
def test_help_shows_bracketed_config_tables_as_written(cli, path, literal):
    result = CliRunner().invoke(cli, [*path, "--help"], prog_name="vectimus")
    assert literal in " ".join(result.output.split())


def test_errors_show_bracketed_text_as_written(project):
    # A message built from data keeps its brackets: rich would otherwise read "[x]" as a style.
    project.run("vectimus", "init", "--agent", "claude")
    out = project.run("vectimus", "policy", "show", "[bold]x[/bold]", check=False)
    assert out.returncode == 1 and "[bold]x[/bold]" in out.stderr


def test_explain_without_arguments_on_a_terminal_shows_usage(tmp_path):
    """With a terminal on stdin nobody is going to pipe an event in: show how to use it, do not wait."""
    import os

    leader, follower = os.openpty()
    try:
        out = subprocess.run([VECTIMUS, "explain"], stdin=follower, capture_output=True, text=True,
                             timeout=60, cwd=tmp_path)
    finally:
        os.close(leader)
        os.close(follower)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Usage: vectimus explain") and "--agent claude < event.json" in " ".join(out.stdout.split())


def test_verify_of_a_missing_path_says_so_first(tmp_path):
    for command in ("verify", "report"):
        out = subprocess.run([VECTIMUS, command, str(tmp_path / "nowhere")], capture_output=True, text=True,
                             cwd=tmp_path)
        assert out.returncode == 1
        assert out.stderr.startswith(f"error: {tmp_path / 'nowhere'} does not exist: nothing to verify"), out.stderr
        assert "key" not in out.stdout + out.stderr
    here = subprocess.run([VECTIMUS, "verify"], capture_output=True, text=True, cwd=tmp_path)
    assert here.returncode == 1 and here.stderr.startswith("error: no receipts here: ")


def test_an_error_a_lower_layer_raises_is_one_line_and_exit_1_in_every_command(project):
    """ConfigError, PolicyError … are VectimusErrors: the CLI reports each once (vectimus.cli.main),
    never as a traceback, whichever command met it."""
    project.run("vectimus", "init", "--agent", "claude")
    (project.root / ".vectimus" / "config.toml").write_text("mode = [broken\n")
    for args in (("policy", "list"), ("status",), ("daemon", "start"), ("rule", "enable", "vectimus-git-002")):
        out = project.run("vectimus", *args, check=False)
        assert out.returncode == 1, (args, out.stdout, out.stderr)
        assert out.stderr.startswith("error: ") and "Traceback" not in out.stderr, (args, out.stderr)

"""Plugins: adapters found through their entry points, discovery cached for the hot path."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import entry_points


def test_claude_adapter_is_an_installed_entry_point():
    (ep,) = [ep for ep in entry_points(group="vectimus") if ep.name == "claude"]
    assert ep.value == "vectimus_claude" and ep.dist.name == "vectimus-claude"


def test_plugins_command_lists_builtin_and_claude(project):
    rows = json.loads(project.run("vectimus", "plugins", "--json").stdout)
    by_name = {r["name"]: r for r in rows}
    assert by_name["claude"]["distribution"] == "vectimus-claude"
    assert "register_agents" in by_name["claude"]["hooks"]
    assert "register_pack_sources" in by_name["vectimus.builtins"]["hooks"]


def test_discovery_cache_serves_the_hook(installed):
    caches = list((installed.home / ".vectimus" / "cache").glob("plugins-*.json"))
    assert len(caches) == 1
    modules = json.loads(caches[0].read_text())["modules"]
    assert "vectimus_claude" in modules["register_agents"]
    caches[0].unlink()  # a missing cache falls back to full discovery and is rebuilt
    event = installed.claude_event("Write", {"file_path": str(installed.root / ".github/workflows/a.yml"),
                                             "content": ""})
    assert "vectimus-fileint-001" in installed.call(installed.hook_command(), event).stdout
    assert len(list((installed.home / ".vectimus" / "cache").glob("plugins-*.json"))) == 1


def test_hook_path_imports_no_cli_libraries(installed):
    event = installed.claude_event("Bash", {"command": "ls -la"})
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "vectimus", "hook", "--agent", "claude"],
                         input=json.dumps(event), capture_output=True, text=True, cwd=installed.root,
                         env=installed.env, timeout=60)
    assert out.returncode == 0 and out.stdout == ""
    imported = {line.split("|")[-1].strip() for line in out.stderr.splitlines() if line.startswith("import time:")}
    for heavy in ("typer", "rich", "pluggy", "tomlkit", "importlib.metadata", "click"):
        assert heavy not in imported, f"the hook imported {heavy}"


def test_discovery_cache_holds_the_files_adapters_declare(installed):
    [cache] = (installed.home / ".vectimus" / "cache").glob("plugins-*.json")
    files = json.loads(cache.read_text())["files"]
    assert ["claude", ".claude/settings.json"] in files["governance_files"]
    assert ["codex", "AGENTS.md"] in files["instruction_files"]
    assert ["cursor", ".cursor/mcp.json"] in files["mcp_config_files"]


def test_the_hook_finds_governance_files_through_the_cache_alone(installed):
    """Nothing in core names Cursor's files: a write to them is refused because the cache says so,
    and a cache naming nothing more (an adapter uninstalled) refuses nothing more."""
    def write_cursor_hooks() -> str:
        event = installed.claude_event("Write", {"file_path": str(installed.root / ".cursor/hooks.json"),
                                                 "content": "{}"})
        return installed.call(installed.hook_command(), event, {"VECTIMUS_DAEMON": "0"}).stdout

    assert "vectimus-fileint-004" in write_cursor_hooks()
    [cache] = (installed.home / ".vectimus" / "cache").glob("plugins-*.json")
    data = json.loads(cache.read_text())
    data["files"]["governance_files"] = [p for p in data["files"]["governance_files"] if p[0] != "cursor"]
    cache.write_text(json.dumps(data))
    assert "vectimus-fileint-004" not in write_cursor_hooks()


def test_tracing_shows_each_module_imported_and_each_thing_registered(installed):
    event = installed.claude_event("Bash", {"command": "ls -la"})
    out = installed.call(installed.hook_command(), event, {"VECTIMUS_TRACE_PLUGINS": "1", "VECTIMUS_DAEMON": "0"})
    assert out.rc == 0 and out.stdout == ""  # the agent's answer only
    assert "vectimus plugins: import vectimus_claude (" in out.stderr
    assert "register_agents (cached): vectimus_claude.ClaudeAdapter 'claude'" in out.stderr
    assert "register_receipt_sinks (cached): vectimus.receipts.sink.LocalChainSink" in out.stderr
    quiet = installed.call(installed.hook_command(), installed.claude_event("Bash", {"command": "ls"}),
                           {"VECTIMUS_DAEMON": "0"})
    assert "vectimus plugins" not in quiet.stderr


def test_every_test_has_a_vectimus_home_of_its_own():
    """The suite's autouse fixture: in-process discovery caches under the test's own home."""
    import os

    from vectimus.plugins import cache_path

    home = os.environ["VECTIMUS_HOME"]
    assert "vectimus-home" in home and cache_path().is_relative_to(home)
    assert not cache_path().is_relative_to(os.path.expanduser("~/.vectimus"))


def test_declared_files_never_come_back_empty_when_the_cache_goes_stale(monkeypatch, tmp_path):
    """A resident evaluator outlives the cache it read: a changed stamp rediscovers, it never
    leaves the agents' governance files unprotected."""
    from vectimus import plugins

    before = plugins.declared_files()["governance_files"]
    assert ("claude", ".claude/settings.json") in before
    monkeypatch.setattr(plugins, "_stamp", lambda: ["a site-packages changed since"])
    assert plugins.declared_files()["governance_files"] == before


def test_tracing_shows_the_clis_plugin_calls_too(project):
    out = project.run("vectimus", "plugins", "--json", env={"VECTIMUS_TRACE_PLUGINS": "1"})
    assert "vectimus plugins:   register_commands [hook]" in out.stderr
    assert json.loads(out.stdout)  # stdout stays the command's own


def test_a_plugin_that_is_not_a_module_is_named_on_stderr_once(capsys):
    """The hook path re-imports plugins by module name: an object registered as a plugin cannot
    be cached, so discovery says so (once) instead of dropping its agents silently."""
    from vectimus import plugins

    class ObjectPlugin:
        def register_agents(self, register):
            raise AssertionError("an object plugin is never called for the cache")

    pm = plugins.get_plugin_manager()
    pm.register(ObjectPlugin(), name="object-plugin")
    try:
        capsys.readouterr()
        discovered = plugins._discovered(pm)
        plugins._discovered(pm)
    finally:
        pm.unregister(name="object-plugin")
        plugins._warned.discard("object-plugin")
    err = capsys.readouterr().err
    assert err.count("plugin 'object-plugin' is not a module and is ignored") == 1
    assert "vectimus.builtins" in discovered["modules"]["register_pack_sources"]

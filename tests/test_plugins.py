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

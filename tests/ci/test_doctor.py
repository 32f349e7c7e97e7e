"""``vectimus doctor``: every installed hook is in its config and its exact command denies the canary."""

from __future__ import annotations

import json


def doctor(project):
    out = project.run("vectimus", "doctor", "--json", check=False)
    return out.returncode, json.loads(out.stdout)


def failed(report) -> list[tuple[str, str]]:
    return [(c["agent"], c["check"]) for c in report["checks"] if not c["ok"]]


def test_healthy_install(installed):
    rc, report = doctor(installed)
    assert rc == 0 and report["ok"] and failed(report) == []
    canaries = {c["agent"] for c in report["checks"] if c["check"] == "canary denied"}
    installed_agents = set(json.loads(installed.run("vectimus", "status", "--json").stdout)["hooks"])
    assert canaries == installed_agents and {"claude", "cursor", "copilot"} <= canaries
    human = installed.run("vectimus", "doctor")
    assert "every installed hook is in place and denies the canary" in human.stdout


def test_a_removed_hook_entry_is_found(installed):
    settings = installed.claude_settings
    data = json.loads(settings.read_text())
    del data["hooks"]["PreToolUse"]
    settings.write_text(json.dumps(data))
    rc, report = doctor(installed)
    assert rc == 1 and failed(report) == [("claude", "config entry")]


def test_a_hook_that_no_longer_denies_is_found(installed):
    """The entry is there but its command answers nothing (e.g. edited to `true`): the silent failure."""
    hooks = installed.root / ".cursor" / "hooks.json"
    data = json.loads(hooks.read_text())
    for entries in data["hooks"].values():
        for entry in entries:
            entry["command"] = entry["command"].replace(" --agent cursor", " --version >/dev/null; true #vectimus hook")
    hooks.write_text(json.dumps(data))
    rc, report = doctor(installed)
    assert rc == 1 and failed(report) == [("cursor", "canary denied")]
    assert "NOT denied" in next(c["detail"] for c in report["checks"] if not c["ok"])


def test_a_missing_program_is_found(installed):
    hooks = installed.root / ".github" / "hooks" / "vectimus.json"
    hooks.write_text(hooks.read_text().replace(str(installed.env["PATH"].split(":")[0]), "/nonexistent/bin"))
    rc, report = doctor(installed)
    assert rc == 1 and ("copilot", "command exists") in failed(report)


def test_nothing_installed_is_a_problem(project):
    rc, report = doctor(project)
    assert rc == 1 and failed(report) == [("-", "hooks installed")]


def test_a_broken_config_is_a_problem(installed):
    (installed.root / ".vectimus" / "config.toml").write_text("mode = [\n")
    rc, report = doctor(installed)
    assert rc == 1 and failed(report) == [("-", "config and policies")]


def test_agents_that_cannot_fail_closed_are_named_plainly(installed):
    rc, report = doctor(installed)
    warned = {c["agent"]: c["detail"] for c in report["checks"] if c["warning"]}
    assert rc == 0 and {"gemini", "droid", "copilot", "codex", "claude"} <= set(warned)
    assert "cursor" not in warned and "opencode" not in warned  # failClosed / a bounded plugin
    assert all(detail.startswith("NO: ") and "times out" in detail for detail in warned.values())
    human = installed.run("vectimus", "doctor").stdout
    assert "! gemini: NO: Gemini CLI runs the tool when its hook times out" in " ".join(human.split())


def test_an_opencode_plugin_that_cannot_load_is_found(installed):
    """OpenCode skips a plugin it cannot load without a word; doctor loads it the way OpenCode does."""
    def plugin_loads(report) -> dict:
        [check] = [c for c in report["checks"] if (c["agent"], c["check"]) == ("opencode", "plugin loads")]
        return check

    assert plugin_loads(doctor(installed)[1])["ok"]
    plugin = installed.root / ".opencode" / "plugins" / "vectimus.js"
    plugin.write_text(plugin.read_text().replace("export const", "export cnst"))
    rc, report = doctor(installed)
    assert rc == 1 and failed(report) == [("opencode", "plugin loads")]
    assert "cannot load" in plugin_loads(report)["detail"]
    plugin.write_text(plugin.read_text().replace("export cnst", "export const").replace("throw denied(", "void ("))
    rc, report = doctor(installed)  # loads, but no longer refuses anything
    assert rc == 1 and "let the canary" in plugin_loads(report)["detail"]


def test_canaries_are_synthetic_sealed_and_reported_apart(installed):
    from tests.support.ci.logs import run_session

    rc, _ = doctor(installed)
    assert rc == 0
    sealed = json.loads(installed.run("vectimus", "verify", "--sealed", "--json").stdout)
    assert sealed["ok"] and sealed["receipts"] >= 3  # doctor sealed its canaries' receipts
    canaries = sealed["receipts"]
    run_session(installed)  # the agent's session: three denials, three allowed calls, then its end
    assert json.loads(installed.run("vectimus", "verify", "--sealed", "--json").stdout)["ok"]

    data = json.loads(installed.run("vectimus", "report", "--format", "json").stdout)
    assert data["outcomes"] == {"allow": 3, "deny": 3} and len(data["blocked"]) == 3  # the agent's calls only
    assert len(data["synthetic"]) == canaries
    assert {(e["synthetic"], e["decision"], e["subject"]) for e in data["synthetic"]} == {("doctor", "deny", "rm -rf /")}
    md = installed.run("vectimus", "report").stdout
    assert f"**Synthetic calls** ({canaries}, not counted above): canaries of `vectimus doctor`" in md
    assert "| deny | 3 |" in md and "| **total** | **6** |" in md
    page = installed.run("vectimus", "report", "--format", "html").stdout
    assert page.split('<table id="synthetic">')[1].split("</table>")[0].count("<tr data-seq") == canaries

"""``vectimus policy|pack|rule|mode`` through the installed CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

CUSTOM_PACK = Path(__file__).parent.parent.parent / "examples" / "custom-pack" / "acme-deploy"
PROMISED = ("vectimus-fileint-001", "vectimus-fileint-004", "vectimus-destruct-006", "vectimus-destruct-001")


def _list(project) -> dict[str, dict]:
    return {row["id"]: row for row in json.loads(project.run("vectimus", "policy", "list", "--json").stdout)}


def _hook(project, command: str) -> tuple[str, str]:
    result = project.call(project.hook_command(), project.claude_event("Bash", {"command": command}))
    hso = (result.json or {}).get("hookSpecificOutput", {})
    return hso.get("permissionDecision", "allow"), hso.get("permissionDecisionReason", "")


def _write_pack(root: Path, cedar: str, cases: str, name: str = "mine") -> Path:
    pack = root / name
    pack.mkdir(parents=True)
    (pack / "pack.toml").write_text(f'name = "{name}"\n')
    (pack / "policies.cedar").write_text(cedar)
    (pack / "cases.toml").write_text(cases)
    return pack


GOOD_POLICY = """\
@id("mine-001")
@description("Running the nuke tool")
@suggested_alternative("Do not")
forbid (principal, action == Vectimus::Action::"exec", resource)
when { context.program == "nuke" };
"""


def test_list_shows_every_pack_and_the_promised_ids(installed):
    rows = _list(installed)
    for pid in PROMISED:
        assert rows[pid]["enforcement"] == "deny"
    assert {r["pack"] for r in rows.values()} >= {
        "destructive-ops", "secrets", "supply-chain", "infrastructure", "code-execution",
        "data-exfiltration", "file-integrity", "database", "git-safety", "agent-governance",
        "mcp-safety", "web"}
    table = installed.run("vectimus", "policy", "list").stdout
    assert "vectimus-destruct-006" in table


def test_show_gives_source_annotations_and_examples(installed):
    data = json.loads(installed.run("vectimus", "policy", "show", "vectimus-git-002", "--json").stdout)
    assert data["source"].startswith('@id("vectimus-git-002")') and data["source"].endswith("};")
    assert data["annotations"]["enforcement"] == "ask"
    assert "git push --force-with-lease origin feature/login" in data["examples"]["allow"]
    missing = installed.run("vectimus", "policy", "show", "vectimus-nope-001", check=False)
    assert missing.returncode == 1


def test_lint_passes_on_bundled_packs_and_a_good_pack(installed, tmp_path):
    assert installed.run("vectimus", "policy", "lint").returncode == 0
    pack = _write_pack(tmp_path, GOOD_POLICY, '[mine-001]\nblock = ["nuke"]\nallow = ["echo nuke"]\n')
    assert installed.run("vectimus", "policy", "lint", str(pack)).returncode == 0


@pytest.mark.parametrize("cedar, cases, complaint", [
    (GOOD_POLICY.replace('@suggested_alternative("Do not")\n', ""), '[mine-001]\nblock = ["nuke"]\nallow = ["ls"]\n',
     "missing @suggested_alternative"),
    (GOOD_POLICY, '[mine-001]\nblock = ["nuke"]\n', "no allow examples"),
    (GOOD_POLICY, '[mine-001]\nblock = ["nuke"]\nallow = ["ls"]\n[mine-002]\nblock = ["x"]\n', "mine-002: examples for a policy no .cedar file of the pack defines"),
    (GOOD_POLICY.replace("context.program", "context.programme"), '[mine-001]\nblock = ["nuke"]\nallow = ["ls"]\n',
     "schema validation"),
    (GOOD_POLICY.replace("mine-001", "vectimus-destruct-001"), '[vectimus-destruct-001]\nblock = ["nuke"]\nallow = ["ls"]\n',
     "duplicate policy id"),
    (GOOD_POLICY.replace('context.program == "nuke"', 'context.args.contains(context.program) && decimal("x") == decimal("1.0")'),
     '[mine-001]\nblock = ["nuke"]\nallow = ["ls"]\n', "mine-001: fails schema validation: error during extension function"),
    (GOOD_POLICY.replace('context.program == "nuke"', 'context.net.port - 9223372036854775807 - 2 < 0'),
     '[mine-001]\nblock = ["nuke"]\nallow = ["ls"]\n', "mine-001: evaluation error"),
])
def test_lint_fails_on_a_broken_pack(installed, tmp_path, cedar, cases, complaint):
    pack = _write_pack(tmp_path, cedar, cases)
    out = installed.run("vectimus", "policy", "lint", str(pack), check=False)
    assert out.returncode == 1
    assert complaint in out.stdout + out.stderr


def test_policy_test_runs_a_user_pack_through_the_hook(installed, tmp_path):
    out = installed.run("vectimus", "policy", "test", str(CUSTOM_PACK), "--json")
    data = json.loads(out.stdout)
    assert data["failed"] == 0 and data["total"] == len([r for r in data["results"] if r["ok"]]) > 0
    wrong = _write_pack(tmp_path, GOOD_POLICY, '[mine-001]\nblock = ["nuke", "ls"]\nallow = ["echo nuke"]\n')
    failed = installed.run("vectimus", "policy", "test", str(wrong), "--json", check=False)
    assert failed.returncode == 1
    problems = [r for r in json.loads(failed.stdout)["results"] if not r["ok"]]
    assert [p["example"] for p in problems] == ["ls"]


def test_rule_enforce_disable_enable(installed):
    installed.run("vectimus", "rule", "enforce", "vectimus-git-002", "--level", "deny")
    assert _list(installed)["vectimus-git-002"]["enforcement"] == "deny"
    assert _hook(installed, "git push --force origin feature/x")[0] == "deny"
    installed.run("vectimus", "rule", "disable", "vectimus-git-002")
    assert _list(installed)["vectimus-git-002"]["enforcement"] == "disabled"
    assert _hook(installed, "git push --force origin feature/x")[0] == "allow"
    installed.run("vectimus", "rule", "enable", "vectimus-git-002")
    assert _list(installed)["vectimus-git-002"]["enforcement"] == "deny"
    bad = installed.run("vectimus", "rule", "enforce", "vectimus-git-002", "--level", "maybe", check=False)
    assert bad.returncode == 1


def test_pack_disable_and_enable(installed):
    installed.run("vectimus", "pack", "disable", "database")
    packs = {p["name"]: p for p in json.loads(installed.run("vectimus", "pack", "list", "--json").stdout)}
    assert packs["database"]["enabled"] is False
    assert not any(pid.startswith("vectimus-db-") for pid in _list(installed))
    installed.run("vectimus", "pack", "enable", "database")
    assert "vectimus-db-001" in _list(installed)
    assert installed.run("vectimus", "pack", "disable", "no-such-pack", check=False).returncode == 1


def test_user_level_settings(installed):
    installed.run("vectimus", "rule", "enforce", "vectimus-db-003", "--level", "deny", "--user")
    assert 'enforcement = "deny"' in (installed.home / ".vectimus" / "config.toml").read_text()
    assert _list(installed)["vectimus-db-003"]["enforcement"] == "deny"


def test_mode_observe_allows_and_enforce_blocks(installed):
    installed.run("vectimus", "mode", "observe")
    assert _hook(installed, "rm -rf ~")[0] == "allow"
    installed.run("vectimus", "mode", "enforce")
    decision, reason = _hook(installed, "rm -rf ~")
    assert decision == "deny" and "vectimus-destruct-001" in reason


def test_untrusted_project_edit_is_reported_as_ignored(project):
    config = project.root / ".vectimus" / "config.toml"
    config.parent.mkdir()
    config.write_text("# from the repository\n")
    project.init("--agent", "claude")
    out = project.run("vectimus", "rule", "disable", "vectimus-destruct-001")
    assert "written, but not in effect" in out.stderr and "not trusted" in out.stderr
    assert _hook(project, "rm -rf ~")[0] == "deny"


def test_user_pack_in_project_governs_the_hook(installed):
    shutil.copytree(CUSTOM_PACK, installed.root / ".vectimus" / "packs" / CUSTOM_PACK.name)
    assert any(pid.startswith("acme-deploy") for pid in _list(installed))


def test_lint_reports_every_problem_in_one_pass_by_id_and_line(installed, tmp_path):
    cedar = (GOOD_POLICY.replace('@suggested_alternative("Do not")\n', "")  # line 1: no alternative
             + "\n// a comment between policies\n"
             + GOOD_POLICY.replace("mine-001", "mine-002").replace("context.program", "context.programme")  # line 7
             + "\n" + GOOD_POLICY.replace("mine-001", "mine-003").replace('== "nuke"', "==")  # line 13: no parse
             + "\n" + GOOD_POLICY.replace("mine-001", "mine-004").replace(
                 '@suggested_alternative("Do not")', '@suggested_alternative("Do not") @soc2("CC66") @iso27001("A.8.12")'))
    cases = "".join(f'[mine-00{n}]\nblock = ["nuke"]\nallow = ["ls"]\n' for n in (1, 2, 3, 4)) + '[mine-009]\nblock = ["x"]\n'
    pack = _write_pack(tmp_path, cedar, cases)
    out = installed.run("vectimus", "policy", "lint", str(pack), "--json", check=False)
    assert out.returncode == 1
    found = {(Path(p["file"]).name, p["line"], p["policy"], p["message"].split(":")[0])
             for p in json.loads(out.stdout)["problems"]}
    assert found == {
        ("policies.cedar", 1, "mine-001", "missing @suggested_alternative"),
        ("policies.cedar", 7, "mine-002", "fails schema validation"),
        ("policies.cedar", 13, "mine-003", "does not parse"),
        ("policies.cedar", 19, "mine-004", "@soc2"),
        ("cases.toml", 13, "mine-009", "examples for a policy no .cedar file of the pack defines"),
    }
    text = installed.run("vectimus", "policy", "lint", str(pack), check=False).stdout
    assert f"{pack / 'policies.cedar'}:7: mine-002: fails schema validation: attribute `programme`" in text
    assert "policy0" not in text and "policy1" not in text


def test_policy_test_names_each_failing_example_by_line(installed, tmp_path):
    cases = '[mine-001]\nblock = [\n  "nuke",\n  "ls -la",\n]\nallow = ["echo nuke", "nuke --help"]\n'
    pack = _write_pack(tmp_path, GOOD_POLICY, cases)
    out = installed.run("vectimus", "policy", "test", str(pack), check=False)
    assert out.returncode == 1
    assert f"{pack / 'cases.toml'}:4: mine-001 block: ls -la  → allow" in out.stdout
    assert f"{pack / 'cases.toml'}:6: mine-001 allow: nuke --help  → deny" in out.stdout
    assert "2 failed" in out.stdout


def test_contributing_names_the_annotations_lint_requires():
    from vectimus.policy_lint import REQUIRED

    text = (Path(__file__).parents[2] / "CONTRIBUTING.md").read_text()
    sentence = " ".join(text.split("Required (`vectimus policy lint` fails without them):")[1].split(";")[0].split())
    assert {a for a in REQUIRED} == {w.split("(")[0].strip("`@") for w in sentence.split(", ") if w.startswith("`@")}


def test_show_prints_incident_and_compliance_controls(installed):
    text = installed.run("vectimus", "policy", "show", "vectimus-agentgov-003").stdout
    assert "incident: Nx s1ngularity compromise (August 2025)" in text
    assert "controls: SOC 2 CC6.3 · ISO 27001 A.8.18 · NIST 800-53 AC-6 · NIST 800-53 CM-7" in text
    assert "source: " in text and "agent-governance.cedar:" in text
    data = json.loads(installed.run("vectimus", "policy", "show", "vectimus-exfil-001", "--json").stdout)
    assert data["controls"] == ["SOC 2 CC6.7", "ISO 27001 A.8.12", "NIST 800-53 AC-4",
                                "OWASP LLM02 sensitive information disclosure"]
    assert data["line"] and data["source"].startswith('@id("vectimus-exfil-001")')

"""``vectimus report``: a real, verified log rendered as Markdown, JSON and HTML; a tampered one says so."""

from __future__ import annotations

import json

from tests.support.ci.logs import run_session


def report(project, *args, check=False):
    return project.run("vectimus", "report", *args, check=check)


def test_markdown_json_and_html_agree(installed):
    run_session(installed)
    md = report(installed)
    assert md.returncode == 0, md.stderr
    assert "✅ **Receipts verified**: 6 signed receipt(s)" in md.stdout
    assert "| deny | 3 |" in md.stdout and "| allow | 3 |" in md.stdout
    for policy in ("vectimus-fileint-001", "vectimus-fileint-004", "vectimus-destruct-006"):
        assert f"<code>{policy}</code>" in md.stdout
    assert "vectimus rule disable vectimus-fileint-001 &#124; tee /tmp/out" in md.stdout  # table stays intact
    assert "This covers receipts #0–#5" in md.stdout

    data = json.loads(report(installed, "--format", "json").stdout)
    assert data["verified"] and data["outcomes"] == {"allow": 3, "deny": 3}
    assert data["range"] == {"first": 0, "last": 5}
    assert [e["policies"] for e in data["blocked"]] == [["vectimus-fileint-001"], ["vectimus-fileint-004"],
                                                        ["vectimus-destruct-006"]]
    assert all(e["reason"].startswith("Blocked by Vectimus policy") for e in data["blocked"])
    assert data["policies"]["vectimus-fileint-004"] == {"deny": 1}

    out = installed.root / "audit" / "report.html"
    assert report(installed, "--format", "html", "--output", str(out)).returncode == 0
    page = out.read_text()
    assert 'data-status="verified"' in page and page.count('class="denial') == 3
    assert "<script" not in page and "src=" not in page and "http" not in page.split("</style>")[0]


def test_session_filter(installed):
    run_session(installed, "one")
    run_session(installed, "two")
    data = json.loads(report(installed, "--format", "json", "--session", "two").stdout)
    assert len(data["entries"]) == 6 and {e["session"] for e in data["entries"]} == {"two"}
    assert data["verification"]["receipts"] == 12


def test_a_tampered_log_fails_in_every_format(installed):
    run_session(installed)
    segment = next((installed.root / ".vectimus" / "receipts").glob("segment-*.jsonl"))
    lines = segment.read_bytes().splitlines()
    del lines[2]  # drop one receipt: the chain breaks
    segment.write_bytes(b"\n".join(lines) + b"\n")
    md = report(installed)
    assert md.returncode == 1 and "❌ **Receipts FAILED verification**" in md.stdout
    data = json.loads(report(installed, "--format", "json").stdout)
    assert data["verified"] is False and data["verification"]["first_failure"]["kind"] in ("sequence", "chain")
    html = report(installed, "--format", "html")
    assert html.returncode == 1 and 'data-status="failed"' in html.stdout


def test_unknown_format_is_refused(installed):
    out = report(installed, "--format", "pdf")
    assert out.returncode == 2 and "--format must be one of" in out.stderr


def test_decisions_grouped_by_compliance_control(installed):
    run_session(installed)  # denies by vectimus-fileint-001, -fileint-004 and -destruct-006
    data = json.loads(report(installed, "--format", "json", "--by", "control").stdout)
    controls = data["controls"]
    assert controls["SOC 2 CC8.1"] == {"deny": 2}          # fileint-001 and fileint-004
    assert controls["ISO 27001 A.8.15"] == {"deny": 2}     # fileint-004 and destruct-006
    assert controls["NIST 800-53 AU-9"] == {"deny": 2}
    assert controls["SOC 2 CC7.2"] == {"deny": 2}
    assert "controls" not in json.loads(report(installed, "--format", "json").stdout)
    md = report(installed, "--by", "control").stdout
    assert "**Decisions by control**" in md and "| SOC 2 CC8.1 | 2 |" in md
    out = installed.root / "audit" / "controls.html"
    assert report(installed, "--format", "html", "--by", "control", "--output", str(out)).returncode == 0
    assert '<table id="controls">' in out.read_text()
    assert report(installed, "--by", "policy").returncode == 2


def test_every_format_shows_the_anchors_and_the_command_that_uses_them(installed):
    run_session(installed)  # ends with the session end's checkpoint
    facts = json.loads(installed.run("vectimus", "verify", "--json").stdout)
    [key], last = facts["keys_used"], f"{facts['last_checkpoint']['size']}:{facts['last_checkpoint']['root']}"
    receipts = str(installed.root / ".vectimus" / "receipts")
    command = f"vectimus verify {receipts} --key {key} --checkpoint {last} --sealed"

    md = report(installed).stdout
    assert f"- key `{key}`" in md and f"- last checkpoint `{last}`" in md and command in md
    data = json.loads(report(installed, "--format", "json").stdout)
    assert data["anchors"] == {"keys": [key], "checkpoints": [last], "verify": command}
    page = report(installed, "--format", "html").stdout
    assert f"<code>{key}</code>" in page.split('id="anchors"')[1] and command in page

    assert installed.run(*command.split(), check=False).returncode == 0  # the command, as shown, holds
    pinned = report(installed, "--key", key, "--checkpoint", last)
    assert pinned.returncode == 0 and f"Verified against the anchors given: key `{key}`" in pinned.stdout
    wrong = report(installed, "--format", "json", "--key", "0" * 64)
    assert wrong.returncode == 1 and json.loads(wrong.stdout)["verification"]["first_failure"]["kind"] == "keys"


def test_every_format_carries_the_logs_provenance(installed):
    import os

    from vectimus import __version__

    installed.run("git", "-c", "user.name=t", "-c", "user.email=t@x", "commit", "-q", "--allow-empty", "-m", "x")
    installed.run("git", "remote", "add", "origin", "https://x-access-token:ghs_secret@github.com/acme/app.git")
    head = installed.run("git", "rev-parse", "HEAD").stdout.strip()
    branch = installed.run("git", "branch", "--show-current").stdout.strip()
    run_session(installed)  # its end seals the log, recording where
    key = json.loads(installed.run("vectimus", "verify", "--json").stdout)["keys_used"][0]

    prov = json.loads(report(installed, "--format", "json").stdout)["provenance"]
    assert (prov["repository"], prov["repository_url"]) == ("acme/app", "https://github.com/acme/app.git")
    assert (prov["commit"], prov["branch"], prov["host"]) == (head, branch, os.uname().nodename)
    assert prov["user"] and prov["vectimus"] == [__version__] and prov["keys"] == [key]
    assert prov["sessions"] == ["report-session"] and len(prov["policy_digests"]) == 1
    assert {"secrets", "destructive-ops"} <= set(prov["packs"]) and prov["generated_by"] == f"vectimus {__version__}"
    assert "ghs_secret" not in json.dumps(prov)

    md = report(installed).stdout
    assert "| Repository | acme/app (https://github.com/acme/app.git) |" in md
    assert f"| Commit | <code>{head} on {branch}</code> |" in md and f"<code>{key}</code>" in md
    page = report(installed, "--format", "html").stdout.split('<table id="provenance">')[1].split("</table>")[0]
    assert head in page and "acme/app" in page and "Generated" in page

"""``vectimus policy update`` against a real HTTP server on 127.0.0.1 serving a signed bundle."""

from __future__ import annotations

import base64
import functools
import json
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from vectimus.policies import bundled_packs_dir
from vectimus.policy_update import build_manifest, sign_envelope

ORG_POLICY = """\
@id("acme-release-001")
@description("Running the production release script")
@suggested_alternative("Let the release pipeline run it")
forbid (principal, action == Vectimus::Action::"exec", resource)
when { context.program == "release-prod" };
"""
ORG_CASES = '[acme-release-001]\nblock = ["release-prod --now"]\nallow = ["echo release-prod"]\n'


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def server(tmp_path):
    """A static HTTP server on 127.0.0.1 serving tmp_path/www."""
    www = tmp_path / "www"
    www.mkdir()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(www)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield www, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _key():
    private = Ed25519PrivateKey.generate()
    raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return private, base64.b64encode(raw).decode()


def publish(www: Path, private, sequence: int, *, drop_web_003: bool = False) -> None:
    """Write a bundle (a new org pack, optionally a replacement web pack) and its signed envelope."""
    pack = www / "acme-release"
    pack.mkdir(exist_ok=True)
    (pack / "release.cedar").write_text(ORG_POLICY)
    (pack / "cases.toml").write_text(ORG_CASES)
    (pack / "pack.toml").write_text('name = "acme-release"\n')
    if drop_web_003:
        web = www / "web"
        shutil.rmtree(web, ignore_errors=True)
        shutil.copytree(bundled_packs_dir() / "web", web)
        text = (web / "web.cedar").read_text()
        (web / "web.cedar").write_text(text[: text.index('@id("vectimus-web-003")')])
    envelope = sign_envelope(build_manifest(www, sequence), private)
    (www / "bundle.json").write_text(json.dumps(envelope))


def _update(project, url: str, key: str, *extra: str):
    return project.run("vectimus", "policy", "update", "--url", url, "--public-key", key, "--json", *extra,
                       check=False)


def _policy_ids(project) -> set[str]:
    return {p["id"] for p in json.loads(project.run("vectimus", "policy", "list", "--json").stdout)}


def _hook(project, command: str) -> str:
    result = project.call(project.hook_command(), project.claude_event("Bash", {"command": command}))
    return (result.json or {}).get("hookSpecificOutput", {}).get("permissionDecision", "allow")


def test_signed_bundle_installs_and_governs_the_hook(installed, server):
    www, base = server
    private, public = _key()
    publish(www, private, 1)
    out = _update(installed, f"{base}/bundle.json", public)
    assert out.returncode == 0, out.stdout + out.stderr
    assert json.loads(out.stdout)["changed"] is True
    assert "acme-release-001" in _policy_ids(installed)
    assert _hook(installed, "release-prod --now") == "deny"
    again = _update(installed, f"{base}/bundle.json", public)
    assert json.loads(again.stdout)["changed"] is False  # same sequence: nothing to do


def test_bundle_pack_replaces_bundled_pack_of_same_name(installed, server):
    www, base = server
    private, public = _key()
    publish(www, private, 2, drop_web_003=True)
    assert _update(installed, f"{base}/bundle.json", public).returncode == 0
    ids = _policy_ids(installed)
    assert "vectimus-web-001" in ids and "vectimus-web-003" not in ids


def test_url_and_key_from_user_config(installed, server):
    www, base = server
    private, public = _key()
    publish(www, private, 1)
    config = installed.home / ".vectimus" / "config.toml"
    config.parent.mkdir(exist_ok=True)
    with config.open("a") as fh:
        fh.write(f'\n[update]\nurl = "{base}/bundle.json"\npublic_key = "{public}"\n')
    out = installed.run("vectimus", "policy", "update", check=False)
    assert out.returncode == 0, out.stderr
    assert "acme-release-001" in _policy_ids(installed)


def _refused(project, url, key, why: str) -> None:
    before = _policy_ids(project)
    out = _update(project, url, key)
    assert out.returncode == 1
    data = json.loads(out.stdout)
    assert data["ok"] is False and why in data["error"], data
    assert _policy_ids(project) == before  # the current packs are kept


def test_bad_signature_is_refused(installed, server):
    www, base = server
    private, _ = _key()
    _, other_public = _key()
    publish(www, private, 1)
    _refused(installed, f"{base}/bundle.json", other_public, "bad signature")


def test_tampered_file_is_refused(installed, server):
    www, base = server
    private, public = _key()
    publish(www, private, 1)
    cedar = www / "acme-release" / "release.cedar"
    cedar.write_text(cedar.read_text().replace("release-prod", "nothing-at-all"))
    _refused(installed, f"{base}/bundle.json", public, "does not match the signed manifest")


def test_unreachable_server_is_reported(installed, server):
    _, public = _key()
    _refused(installed, "http://127.0.0.1:9/bundle.json", public, "cannot fetch")


def test_malformed_bundle_is_refused(installed, server):
    www, base = server
    _, public = _key()
    (www / "bundle.json").write_text("{not json")
    _refused(installed, f"{base}/bundle.json", public, "malformed")


def test_signed_but_invalid_policies_are_refused(installed, server):
    www, base = server
    private, public = _key()
    pack = www / "broken"
    pack.mkdir()
    (pack / "broken.cedar").write_text('@id("x-1")\n@description("d")\nforbid (principal, action, resource) when { context.nope };\n')
    (www / "bundle.json").write_text(json.dumps(sign_envelope(build_manifest(www, 1), private)))
    _refused(installed, f"{base}/bundle.json", public, "invalid")


def test_rollback_to_older_bundle_is_refused(installed, server):
    www, base = server
    private, public = _key()
    publish(www, private, 5)
    assert _update(installed, f"{base}/bundle.json", public).returncode == 0
    publish(www, private, 4)
    _refused(installed, f"{base}/bundle.json", public, "rollback")


def test_agent_cannot_run_the_update(installed):
    assert _hook(installed, "vectimus policy update --url http://127.0.0.1:1/b.json") == "deny"

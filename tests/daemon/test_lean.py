"""The hook's imports: stdlib-only with the evaluator, no CLI or discovery machinery without it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.support.daemon import hook_imports, imported, startup_modules, workflow_write

from vectimus.daemon import protocol, runtime
from vectimus.locations import user_home

HEAVY = {"typer", "rich", "pluggy", "tomlkit", "importlib.metadata", "click"}
# Costly to import or to use at import time, and not needed to decide: dataclasses (with inspect)
# cost more than a tenth of a hook process; importlib.resources and tempfile come with the
# grammar package's __init__, cedarpy.pst with cedarpy's.
SLOW = {"dataclasses", "inspect", "importlib.resources", "tempfile", "cedarpy.pst", "socket",
        # code analysers load these only for a call that runs code in their language
        "ast", "tree_sitter_javascript", "tree_sitter_typescript",
        # hashlib loads OpenSSL; vectimus.sha256 hashes with the interpreter's own module
        "hashlib", "_hashlib",
        # cryptography's public key classes and their serialization: signing uses its native module
        "cryptography.hazmat.primitives",
        # config files and pack manifests parse through vectimus.toml_cache (once per content)
        "tomllib",
        # receipts' base64 is binascii's (what base64 calls)
        "base64"}
STDLIB = set(sys.stdlib_module_names)
# What receipt sinks export with (vectimus-otel's OpenTelemetry SDK and its HTTP stack): a background
# thread or a session end imports it, never a hook deciding, even with an exporter configured.
EXPORTERS = ("opentelemetry", "google.protobuf", "requests", "urllib3")


def test_package_init_imports_nothing():
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", "import vectimus"],
                         capture_output=True, text=True, check=True)
    assert imported(out.stderr) - startup_modules() == {"vectimus"}


def test_hook_through_the_daemon_imports_only_the_standard_library(daemon):
    project = daemon.project
    daemon.start()
    stdout, modules = hook_imports(project, workflow_write(project))
    assert '"deny"' in stdout
    ours = {m for m in modules if m.startswith("vectimus")}
    assert ours == {"vectimus", "vectimus.hook", "vectimus.hook.client", "vectimus.hook.confirm",
                    "vectimus.daemon", "vectimus.daemon.protocol", "vectimus.daemon.runtime", "vectimus.layout",
                    "vectimus.receipts", "vectimus.receipts.files", "vectimus.sha256"}
    others = {m.split(".")[0] for m in modules - ours - startup_modules()}
    assert others <= STDLIB, others - STDLIB
    daemon.stop()


@pytest.mark.parametrize("env", [{}, {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9"}],
                         ids=["plain", "exporter-configured"])
def test_hook_in_process_skips_cli_and_entry_point_scans(installed, env):
    env = {"VECTIMUS_DAEMON": "0", **env}
    _, first = hook_imports(installed, workflow_write(installed), env)
    assert "tomllib" in first  # the first call after a config change parses it; later calls read the parse
    stdout, modules = hook_imports(installed, workflow_write(installed), env)
    assert '"deny"' in stdout
    assert "cedarpy" in modules  # it did evaluate here
    assert not modules & HEAVY, modules & HEAVY
    assert not modules & SLOW, modules & SLOW
    assert not [m for m in modules if m.startswith(("vectimus.cli", "importlib.metadata", *EXPORTERS))]


@pytest.mark.parametrize("env", [{"HOME": "/h"}, {"HOME": "/h", "VECTIMUS_HOME": "/v"},
                                 {"HOME": "/h", "VECTIMUS_HOME": ""}])
def test_layout_finds_the_vectimus_home_as_locations_does(env):
    from vectimus.layout import vectimus_home

    assert vectimus_home(env) == str(user_home(env))


def test_runtime_dir_prefers_xdg_and_falls_back_to_vectimus_home():
    assert runtime.runtime_dir({"XDG_RUNTIME_DIR": "/run/user/7", "HOME": "/h"}) == "/run/user/7/vectimus"
    assert runtime.runtime_dir({"XDG_RUNTIME_DIR": "relative", "HOME": "/h"}) == "/h/.vectimus/run"
    assert runtime.runtime_dir({"HOME": "/h"}) == "/h/.vectimus/run"


def test_messages_round_trip():
    environ = {b"HOME": b"/home/u", b"ODD": b"\xff\xfe=x", b"EMPTY": b""}
    frames = protocol.unpack(protocol.request("claude", "/w", environ, b'{"a": 1}', 12.5, "ab" * 16)[4:])
    assert len(frames) == protocol.REQUEST_FRAMES
    assert frames[0] == protocol.MAGIC and frames[1] == protocol.identity() and frames[2] == b"12.5"
    assert frames[3:5] == [b"claude", b"/w"] and frames[6:] == [b'{"a": 1}', b"ab" * 16]
    env = protocol.decode_env(frames[5])
    assert env == {"HOME": "/home/u", "ODD": os.fsdecode(b"\xff\xfe=x"), "EMPTY": ""}
    reply = protocol.unpack(protocol.reply(protocol.OK, 2, "out", "err", ("/p", "segment-000000000000.jsonl", 7, 9))[4:])
    assert reply == [b"ok", b"2", b"out", b"err", b"/p", b"segment-000000000000.jsonl", b"7", b"9"]
    assert len(protocol.unpack(protocol.reply(protocol.DECLINED)[4:])) == protocol.REPLY_FRAMES
    with pytest.raises(protocol.ProtocolError):
        protocol.unpack(b"\x00\x00\x00\x09abc")
    with pytest.raises(protocol.ProtocolError):
        protocol.decode_env(b"NOEQUALS")


def test_installation_key_names_this_installation():
    key = runtime.installation_key()
    assert len(key) == 16 and int(key, 16) >= 0
    assert Path(protocol.identity().split(b"\0")[1].decode()) == Path(protocol.__file__).parents[1]

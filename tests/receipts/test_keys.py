"""Signing keys: created private, exported public, per user or per CI job, never leaked."""

from __future__ import annotations

import base64
import hashlib
import stat
import types

import pytest
from cryptography.hazmat.primitives import serialization

from vectimus.receipts import keys
from vectimus.receipts.evallog import write_evaluation
from vectimus.receipts.keys import SigningKeyError, create_ci_key, load_signer

from tests.support.receipts import Log


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_user_key_is_created_private_and_its_public_half_exported(proj, vhome):
    signer = load_signer(vhome, proj, {})
    assert signer.path == vhome / "keys" / "user.key"
    assert (mode(vhome / "keys"), mode(signer.path)) == (0o700, 0o600)
    exported = proj / ".vectimus" / "keys" / f"{signer.keyid}.pub"
    public = serialization.load_pem_public_key(exported.read_bytes())
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert signer.keyid == hashlib.sha256(raw).hexdigest()
    assert load_signer(vhome, proj, {}).keyid == signer.keyid  # the same key next time


def test_loose_permissions_are_tightened(proj, vhome):
    signer = load_signer(vhome, proj, {})
    signer.path.chmod(0o644)
    (vhome / "keys").chmod(0o755)
    keys._signers.clear()  # as a new hook process would
    load_signer(vhome, proj, {})
    assert (mode(vhome / "keys"), mode(signer.path)) == (0o700, 0o600)


def test_the_private_key_never_appears_in_receipts_keys_or_logs(proj, vhome):
    log = Log(proj, vhome).write(6).end()
    write_evaluation({"requests": [{"context": {"raw": "echo hi"}}]}, vhome)
    key = serialization.load_pem_private_key((vhome / "keys" / "user.key").read_bytes(), None)
    seed = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                             serialization.NoEncryption())
    pem_body = b"".join((vhome / "keys" / "user.key").read_bytes().splitlines()[1:-1])
    needles = [seed, seed.hex().encode(), base64.b64encode(seed), pem_body, b"PRIVATE KEY"]
    files = [p for p in [*proj.rglob("*"), *(vhome / "logs").rglob("*")] if p.is_file()]
    assert len(files) >= 5
    for path in files:
        data = path.read_bytes()
        assert not any(n in data for n in needles), path
    assert log.verify(sealed=True).ok


def test_ci_key_is_made_for_the_job_and_signs_this_projects_receipts(proj, vhome, tmp_path):
    public = create_ci_key(vhome, proj, "gh-run 1234/attempt 1")
    private = vhome / "keys" / "ci-gh-run_1234_attempt_1.key"
    assert mode(private) == 0o600
    assert public.parent == proj / ".vectimus" / "keys" and public.suffix == ".pub"
    assert create_ci_key(vhome, proj, "gh-run 1234/attempt 1") == public  # rerun in the same job: same key
    log = Log(proj, vhome).write(3).end()
    report = log.verify(sealed=True)
    assert report.ok and report.keys_used == {public.stem}
    other = tmp_path / "other"
    other.mkdir()
    assert load_signer(vhome, other, {}).path.name == "user.key"  # the binding is per project


def test_an_explicit_signing_key_from_the_config(proj, vhome, tmp_path):
    user = load_signer(vhome, proj, {})
    chosen = tmp_path / "org.key"
    chosen.write_bytes(user.private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    assert load_signer(vhome, proj, {"keys": {"signing_key": str(chosen)}}).keyid == user.keyid
    with pytest.raises(SigningKeyError):
        load_signer(vhome, proj, {"keys": {"signing_key": str(tmp_path / "missing.key")}})


def test_a_key_that_is_not_ed25519_is_refused(proj, vhome, tmp_path):
    from cryptography.hazmat.primitives.asymmetric import ec

    other = tmp_path / "ec.key"
    other.write_bytes(ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    with pytest.raises(SigningKeyError, match="not an Ed25519"):
        load_signer(vhome, proj, {"keys": {"signing_key": str(other)}})


def test_pem_forms_are_exactly_what_cryptography_writes(proj, vhome):
    from vectimus.receipts.keys import parse_public_pem, public_pem

    signer = load_signer(vhome, proj, {})
    assert signer.path.read_bytes() == signer.private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    public = signer.private_key.public_key()
    assert public_pem(public) == public.public_bytes(serialization.Encoding.PEM,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo)
    assert parse_public_pem(public_pem(public)).public_bytes_raw() == public.public_bytes_raw()


def test_writing_a_receipt_imports_nothing_heavy(proj, vhome):
    """The hot path: no serialization package, no CLI or plugin machinery, no filelock."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from vectimus.model import Decision, ToolCall\n"
        "from vectimus.receipts.body import receipt_body\n"
        "from vectimus.receipts.sink import LocalChainSink\n"
        "from vectimus.sinks import SinkContext\n"
        "p = Path(sys.argv[1])\n"
        "call = ToolCall(agent='claude', tool='Bash', kind='shell', cwd=str(p), project_dir=str(p), command='ls')\n"
        "body = receipt_body(call, Decision('allow'), mode='enforce', principal={}, policy_digest='', versions={})\n"
        "LocalChainSink().emit(body, SinkContext(p, Path(sys.argv[2]), {}))\n"
        "heavy = ('cryptography.hazmat.primitives.serialization', 'typer', 'rich', 'pluggy', 'filelock',\n"
        "         'tomlkit', 'importlib.metadata')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(proj), str(vhome)], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
    assert len(list((proj / ".vectimus" / "receipts").glob("segment-*.jsonl"))) == 1


def test_ci_job_ids_come_from_the_ci_systems_variables():
    from vectimus.receipts.keys import ci_job_id

    assert ci_job_id({"GITHUB_RUN_ID": "991", "GITHUB_RUN_ATTEMPT": "2", "GITHUB_JOB": "test"}) == "991-2-test"
    assert ci_job_id({"CI_JOB_ID": "4411"}) == "4411"
    assert ci_job_id({}) is None


def test_init_ci_again_in_one_job_reuses_its_key(proj, vhome):
    """Outside a known CI system, init --ci run three times keeps the key it made first."""
    first = create_ci_key(vhome, proj, None)
    assert create_ci_key(vhome, proj, None) == first == create_ci_key(vhome, proj, None)
    assert [p.name for p in (proj / ".vectimus" / "keys").iterdir()] == [first.name]
    assert len(list((vhome / "keys").glob("ci-*.key"))) == 1
    assert create_ci_key(vhome, proj, "991-1-test") != first  # another job: its own key


def test_a_bound_ci_key_that_is_gone_is_an_error_not_a_new_key(proj, vhome):
    create_ci_key(vhome, proj, "991-1-test")
    (vhome / "keys" / "ci-991-1-test.key").unlink()
    keys._signers.clear()
    with pytest.raises(SigningKeyError, match="ci-991-1-test.key"):
        load_signer(vhome, proj, {})


def test_a_long_lived_process_notices_a_replaced_or_deleted_key(proj, vhome):
    """The daemon keeps its signers: a key file replaced or deleted under it is loaded again."""
    first = load_signer(vhome, proj, {})
    first.path.unlink()
    second = load_signer(vhome, proj, {})  # the user's key, made anew
    assert second.keyid != first.keyid
    keys._write_new_key(vhome / "keys" / "other.key")
    (vhome / "keys" / "other.key").replace(second.path)
    third = load_signer(vhome, proj, {})
    assert third.keyid not in (first.keyid, second.keyid)
    assert {p.stem for p in (proj / ".vectimus" / "keys").glob("*.pub")} == {first.keyid, second.keyid, third.keyid}


def test_a_symlinked_project_keys_directory_is_set_aside(proj, vhome, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (proj / ".vectimus").mkdir()
    (proj / ".vectimus" / "keys").symlink_to(elsewhere)
    signer = load_signer(vhome, proj, {})
    assert not list(elsewhere.iterdir())
    keys_dir = proj / ".vectimus" / "keys"
    assert keys_dir.is_dir() and not keys_dir.is_symlink() and (keys_dir / f"{signer.keyid}.pub").is_file()
    assert [p.name.startswith("keys.set-aside-") for p in (proj / ".vectimus").iterdir() if p.is_symlink()] == [True]


def test_keys_from_the_native_module_are_cryptography_s_own():
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

    from vectimus.native import ed25519, ed25519_public

    native, public = ed25519(), ed25519_public()
    assert isinstance(native, types.ModuleType)  # this cryptography's layout is the one the native path knows
    seed = bytes(range(32))
    mine, theirs = native.from_private_bytes(seed), public.from_private_bytes(seed)
    assert isinstance(mine, Ed25519PrivateKey) and isinstance(mine, public.Ed25519PrivateKey)
    assert isinstance(theirs, native.Ed25519PrivateKey)
    assert mine.sign(b"receipt") == theirs.sign(b"receipt")
    raw = mine.public_key().public_bytes_raw()
    assert isinstance(native.from_public_bytes(raw), Ed25519PublicKey)
    native.from_public_bytes(raw).verify(theirs.sign(b"x"), b"x")
    assert isinstance(native.generate_key(), Ed25519PrivateKey) and isinstance(public.generate_key(), native.Ed25519PrivateKey)

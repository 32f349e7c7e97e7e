"""Signed pack updates: fetch a pack bundle over HTTP(S), verify it, install it atomically.

The URL serves a DSSE envelope (JSON): ``payloadType`` :data:`PAYLOAD_TYPE`, ``payload`` (base64 of
the manifest JSON) and ``signatures`` (Ed25519 over DSSE's pre-authentication encoding), read and
written by ``receipts.envelope`` like every receipt. The
manifest lists every file of the bundle (``<pack>/<file>`` relative to the envelope's URL) with its
SHA-256 and size, and a ``sequence`` number that only ever grows (no rollback to an older bundle).

Nothing fetched is used before the signature verifies against the pinned public key, every file
matches the manifest, and the staged packs build a valid policy set. Only then does the ``current``
link under ``~/.vectimus/updates/`` switch to the new bundle; on any failure the packs in use stay
exactly as they were. Packs of an installed bundle replace bundled packs of the same name.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from vectimus.errors import VectimusError
from vectimus.locations import user_home
from vectimus.receipts import envelope
from vectimus.sha256 import sha256

PAYLOAD_TYPE = "application/vnd.vectimus.pack-bundle+json"
FORMAT = "vectimus-pack-bundle/1"
MAX_ENVELOPE_BYTES = 1024 * 1024
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_FILES = 500
TIMEOUT_S = 20
_FILE_PATH = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}/[A-Za-z0-9][A-Za-z0-9._-]{0,127}\.(cedar|toml)$")


class UpdateError(VectimusError):
    """The update was refused or failed; the packs in use are unchanged."""


@dataclass(frozen=True)
class UpdateResult:
    """What an update did."""

    changed: bool
    sequence: int
    packs: tuple[str, ...]
    path: Path
    message: str


def updates_dir() -> Path:
    """Where installed bundles live: ``~/.vectimus/updates`` (``current`` links to the active one)."""
    return user_home() / "updates"


def current_bundle() -> Path:
    """The active bundle's directory (a pack source; it may not exist)."""
    return updates_dir() / "current"


def load_public_key(text: str):
    """An Ed25519 public key from base64 (raw 32 bytes) or PEM text."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    text = (text or "").strip()
    if not text:
        raise UpdateError("no public key pinned: set [update] public_key in ~/.vectimus/config.toml or pass --public-key")
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_public_key(text.encode())
        else:
            key = Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))
    except (ValueError, TypeError) as exc:
        raise UpdateError(f"the pinned public key is not a valid Ed25519 key: {exc}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise UpdateError("the pinned public key is not an Ed25519 key")
    return key


def sign_envelope(manifest: dict, private_key) -> dict:
    """A signed envelope for ``manifest`` (used by bundle publishers and tests)."""
    from cryptography.hazmat.primitives import serialization

    payload = json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode()
    raw = private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    line = envelope.encode(PAYLOAD_TYPE, payload, sha256(raw).hexdigest()[:16],
                           private_key.sign(envelope.pae(PAYLOAD_TYPE, payload)))
    return json.loads(line)


def build_manifest(bundle_dir: Path, sequence: int) -> dict:
    """The manifest of every ``<pack>/<file>.cedar|.toml`` under ``bundle_dir``."""
    files = []
    for path in sorted(bundle_dir.glob("*/*")):
        rel = path.relative_to(bundle_dir).as_posix()
        if path.is_file() and _FILE_PATH.match(rel):
            data = path.read_bytes()
            files.append({"path": rel, "sha256": sha256(data).hexdigest(), "size": len(data)})
    return {"format": FORMAT, "sequence": sequence, "files": files}


def verify_envelope(data: bytes, public_key) -> dict:
    """The manifest inside a signed envelope; raise UpdateError unless a signature verifies."""
    from cryptography.exceptions import InvalidSignature

    try:
        signed = envelope.decode(data)
    except envelope.EnvelopeError as exc:
        raise UpdateError(f"malformed bundle envelope: {exc}") from None
    if signed.payload_type != PAYLOAD_TYPE:
        raise UpdateError("malformed bundle envelope: not a Vectimus pack-bundle envelope")
    for _, sig in signed.signatures:
        try:
            public_key.verify(sig, envelope.pae(PAYLOAD_TYPE, signed.payload))
        except InvalidSignature:
            continue
        break
    else:
        raise UpdateError("bad signature: the bundle is not signed by the pinned key")
    try:
        manifest = json.loads(signed.payload)
    except ValueError as exc:
        raise UpdateError(f"malformed manifest: {exc}") from None
    _check_manifest(manifest)
    return manifest


def _check_manifest(manifest) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise UpdateError(f"malformed manifest: format is not {FORMAT}")
    sequence = manifest.get("sequence")
    if not isinstance(sequence, int) or isinstance(sequence, bool) or sequence < 1:
        raise UpdateError("malformed manifest: sequence must be a positive integer")
    files = manifest.get("files")
    if not isinstance(files, list) or not files or len(files) > MAX_FILES:
        raise UpdateError("malformed manifest: files must list 1 to 500 files")
    seen = set()
    for entry in files:
        if not isinstance(entry, dict):
            raise UpdateError("malformed manifest: a file entry is not an object")
        path, digest, size = entry.get("path"), entry.get("sha256"), entry.get("size")
        if not isinstance(path, str) or not _FILE_PATH.match(path) or path in seen:
            raise UpdateError(f"malformed manifest: bad or repeated file path {path!r}")
        if not isinstance(digest, str) or not re.fullmatch(r"[0-9a-f]{64}", digest):
            raise UpdateError(f"malformed manifest: bad sha256 for {path}")
        if not isinstance(size, int) or isinstance(size, bool) or not 0 <= size <= MAX_FILE_BYTES:
            raise UpdateError(f"malformed manifest: bad size for {path}")
        seen.add(path)
    if not any(p.endswith(".cedar") for p in seen):
        raise UpdateError("malformed manifest: the bundle holds no policies")


def fetch(url: str, limit: int) -> bytes:
    """GET ``url`` (http or https only), at most ``limit`` bytes."""
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme not in ("http", "https"):
        raise UpdateError(f"unsupported URL scheme {scheme!r}: use https (or http for a local mirror)")
    request = urllib.request.Request(url, headers={"User-Agent": "vectimus-policy-update"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            data = response.read(limit + 1)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise UpdateError(f"cannot fetch {url}: {getattr(exc, 'reason', exc)}") from None
    if len(data) > limit:
        raise UpdateError(f"{url} is larger than {limit} bytes")
    return data


def installed_sequence() -> int:
    """The sequence number of the active bundle (0 when none is installed)."""
    try:
        return int(json.loads((current_bundle() / "manifest.json").read_text())["sequence"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0


def update(url: str, public_key_text: str) -> UpdateResult:
    """Fetch, verify and install the bundle at ``url``; raise UpdateError and change nothing on failure."""
    key = load_public_key(public_key_text)
    if not url:
        raise UpdateError("no update URL: set [update] url in ~/.vectimus/config.toml or pass --url")
    manifest = verify_envelope(fetch(url, MAX_ENVELOPE_BYTES), key)
    sequence = manifest["sequence"]
    have = installed_sequence()
    packs = tuple(sorted({f["path"].split("/", 1)[0] for f in manifest["files"]}))
    if sequence < have:
        raise UpdateError(f"refusing bundle {sequence}: older than the installed bundle {have} (rollback)")
    if sequence == have:
        return UpdateResult(False, sequence, packs, current_bundle(), f"already up to date (bundle {sequence})")
    root = updates_dir()
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=root))
    try:
        for entry in manifest["files"]:
            data = fetch(urllib.parse.urljoin(url, entry["path"]), MAX_FILE_BYTES)
            if len(data) != entry["size"] or sha256(data).hexdigest() != entry["sha256"]:
                raise UpdateError(f"{entry['path']} does not match the signed manifest (tampered or corrupted)")
            target = staging / entry["path"]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        _validate_staged(staging)
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2))
        final = root / f"bundle-{sequence}"
        if final.exists():
            shutil.rmtree(final)
        os.replace(staging, final)
        _switch(root, final.name)
        _prune(root, keep={final.name})
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return UpdateResult(True, sequence, packs, final, f"installed bundle {sequence} ({len(packs)} packs)")


def _validate_staged(staging: Path) -> None:
    from vectimus.policies import PolicyError, active_packs, build_policy_set, bundled_packs_dir, packs_in

    staged = packs_in(staging, "update")
    try:
        build_policy_set(active_packs([*packs_in(bundled_packs_dir(), "bundled"), *staged]))
    except PolicyError as exc:
        raise UpdateError(f"the bundle's policies are invalid: {exc}") from None


def _switch(root: Path, name: str) -> None:
    link = root / "current"
    tmp = root / f".current-{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(name)
    os.replace(tmp, link)


def _prune(root: Path, keep: set[str]) -> None:
    """Remove old bundles, keeping the active one and the newest previous one."""
    bundles = sorted((p for p in root.glob("bundle-*") if p.is_dir()),
                     key=lambda p: int(p.name.split("-", 1)[1]) if p.name.split("-", 1)[1].isdigit() else 0)
    for old in bundles[:-2]:
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)

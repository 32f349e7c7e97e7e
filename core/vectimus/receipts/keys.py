"""Ed25519 signing keys: one per user (or per CI job) under ``~/.vectimus/keys/``.

Private keys are PKCS#8 PEM files, mode 0600, in a 0700 directory, and are never copied
elsewhere. The public key is exported to ``<project>/.vectimus/keys/<keyid>.pub`` (PEM
SubjectPublicKeyInfo) so receipts and keys travel together. A key id is the lowercase hex
SHA-256 of the raw 32-byte public key.

On the hot path keys are read and written through the fixed RFC 8410 DER forms of Ed25519 keys,
which spares importing ``cryptography``'s serialization package (about 8 ms per hook process);
any other PEM encoding of an Ed25519 key is still accepted through that package. The keys come
from ``cryptography``'s native module (``vectimus.native.ed25519``).
"""

from __future__ import annotations

import binascii  # base64 as base64.b64encode/b64decode(validate=True) do it, without the module
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from vectimus import atomic
from vectimus.config import config_value
from vectimus.errors import VectimusError
from vectimus.native import ed25519
from vectimus.receipts.files import signature
from vectimus.records import Record
from vectimus.sha256 import sha256

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

_ED25519 = ed25519()  # cryptography's Ed25519 keys, without its primitives package

USER_KEY = "user.key"
BINDINGS = "projects.json"  # project path -> key file name, written by create_ci_key
PROJECT_KEYS = Path(".vectimus") / "keys"
# RFC 8410 DER prefixes: PKCS#8 PrivateKeyInfo and SubjectPublicKeyInfo of id-Ed25519, then 32 bytes.
PKCS8_PREFIX = bytes.fromhex("302e020100300506032b657004220420")
SPKI_PREFIX = bytes.fromhex("302a300506032b6570032100")


class SigningKeyError(VectimusError):
    """A signing key cannot be created or loaded."""


class Signer(Record):
    """An Ed25519 private key and its key id."""

    keyid: str
    path: Path
    private_key: Ed25519PrivateKey

    def sign(self, data: bytes) -> bytes:
        """The 64-byte Ed25519 signature of ``data``."""
        return self.private_key.sign(data)

    def public_pem(self) -> bytes:
        """The public key as PEM SubjectPublicKeyInfo."""
        return public_pem(self.private_key.public_key())


def key_id(public_key: Ed25519PublicKey) -> str:
    """The key id: hex SHA-256 of the raw public key bytes."""
    return sha256(public_key.public_bytes_raw()).hexdigest()


def _pem(label: str, der: bytes) -> bytes:
    body = binascii.b2a_base64(der, newline=False).decode("ascii")
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return "\n".join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----", ""]).encode("ascii")


def _der(pem: bytes, label: str) -> bytes | None:
    text = pem.decode("ascii", "replace").strip().splitlines()
    if len(text) < 3 or text[0] != f"-----BEGIN {label}-----" or text[-1] != f"-----END {label}-----":
        return None
    try:
        return binascii.a2b_base64("".join(text[1:-1]), strict_mode=True)
    except ValueError:
        return None


def public_pem(public_key: Ed25519PublicKey) -> bytes:
    """PEM SubjectPublicKeyInfo of ``public_key``."""
    return _pem("PUBLIC KEY", SPKI_PREFIX + public_key.public_bytes_raw())


def private_pem(private_key: Ed25519PrivateKey) -> bytes:
    """Unencrypted PKCS#8 PEM of ``private_key``."""
    return _pem("PRIVATE KEY", PKCS8_PREFIX + private_key.private_bytes_raw())


def parse_private_pem(pem: bytes):
    """The private key in a PEM file (any type; the caller checks it is Ed25519)."""
    der = _der(pem, "PRIVATE KEY")
    if der is not None and len(der) == 48 and der.startswith(PKCS8_PREFIX):
        return _ED25519.from_private_bytes(der[16:])
    from cryptography.hazmat.primitives import serialization

    return serialization.load_pem_private_key(pem, password=None)


def parse_public_pem(pem: bytes):
    """The public key in a PEM file (any type; the caller checks it is Ed25519)."""
    der = _der(pem, "PUBLIC KEY")
    if der is not None and len(der) == 44 and der.startswith(SPKI_PREFIX):
        return _ED25519.from_public_bytes(der[12:])
    from cryptography.hazmat.primitives import serialization

    return serialization.load_pem_public_key(pem)


def keys_dir(home: Path) -> Path:
    """The user's private key directory, created 0700."""
    path = Path(home) / "keys"
    path.mkdir(parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o700)
    return path


def _write_new_key(path: Path) -> None:
    """Create a fresh key at ``path`` atomically; an existing file (another process won) is kept."""
    pem = private_pem(_ED25519.generate_key())
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, pem)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp)


def _load(path: Path) -> Signer:
    try:
        st = path.stat()
        if st.st_mode & 0o077:
            os.chmod(path, 0o600)
        key = parse_private_pem(path.read_bytes())
    except (OSError, ValueError, TypeError) as exc:
        raise SigningKeyError(f"cannot load signing key {path}: {exc}") from None
    if not isinstance(key, _ED25519.Ed25519PrivateKey):
        raise SigningKeyError(f"signing key {path} is not an Ed25519 key")
    return Signer(key_id(key.public_key()), path, key)


def _bound_key(home: Path, project: Path) -> str | None:
    try:
        bindings = json.loads((Path(home) / "keys" / BINDINGS).read_text())
    except (OSError, ValueError):
        return None
    name = bindings.get(str(Path(project).resolve())) if isinstance(bindings, dict) else None
    return name if isinstance(name, str) and "/" not in name and name.endswith(".key") else None


def export_public_key(signer: Signer, project: Path) -> Path:
    """Write ``<project>/.vectimus/keys/<keyid>.pub`` unless it is already there; return its path.

    Never through a link: a ``keys`` that is a symbolic link or not a directory (a hostile clone)
    is set aside (renamed ``keys.set-aside-…``) and made anew; ``.vectimus`` itself must be safe.
    """
    from vectimus.receipts.files import UnsafePath, is_regular, open_dir, replace_file, set_aside

    name = f"{signer.keyid}.pub"
    pfd = os.open(project, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        try:
            vfd = open_dir(PROJECT_KEYS.parent.name, pfd, create=True)
        except UnsafePath as exc:
            raise SigningKeyError(f"{Path(project) / PROJECT_KEYS.parent}: {exc.strerror}: "
                                  "no public key is written through it") from None
        try:
            try:
                kfd = open_dir(PROJECT_KEYS.name, vfd, create=True)
            except UnsafePath:
                set_aside(PROJECT_KEYS.name, vfd)
                kfd = open_dir(PROJECT_KEYS.name, vfd, create=True)
            try:
                if not is_regular(name, kfd):
                    replace_file(name, signer.public_pem(), kfd)
            finally:
                os.close(kfd)
        finally:
            os.close(vfd)
    finally:
        os.close(pfd)
    return Path(project) / PROJECT_KEYS / name


# A long-lived process (the daemon) loads each key once, and again when its file changes.
_signers: dict[tuple, tuple[Signer, tuple | None]] = {}


def load_signer(home: Path, project: Path, config: Mapping) -> Signer:
    """The signing key for ``project``; the user's key is created on first use. Exports the public key.

    Chosen in order: ``keys.signing_key`` from the config (must exist), the CI job key bound to
    this project by ``create_ci_key`` (must exist), else ``<home>/keys/user.key``. A cached key
    whose file was deleted or replaced is loaded again (the user's key made anew if it is gone).
    """
    explicit = config_value(config, "keys.signing_key")
    cache_key = (str(home), str(project), str(explicit or ""))
    cached = _signers.get(cache_key)
    if cached is not None and signature(cached[0].path) == cached[1] \
            and os.path.isfile(Path(project) / PROJECT_KEYS / f"{cached[0].keyid}.pub"):
        return cached[0]
    if explicit:
        path = Path(os.path.expanduser(str(explicit)))
    else:
        bound = _bound_key(home, project)
        path = keys_dir(home) / (bound or USER_KEY)
        if not bound and not path.exists():
            _write_new_key(path)
    signer = _load(path)
    export_public_key(signer, project)
    _signers[cache_key] = (signer, signature(path))
    return signer


# CI systems' variables that together name one job run, first match wins.
CI_JOB_VARIABLES = (
    ("GITHUB_RUN_ID", "GITHUB_RUN_ATTEMPT", "GITHUB_JOB"),  # GitHub Actions
    ("CI_JOB_ID",),                                          # GitLab CI
    ("BUILDKITE_JOB_ID",),
    ("CIRCLE_WORKFLOW_JOB_ID",),
    ("BUILD_BUILDID", "SYSTEM_JOBID"),                       # Azure Pipelines
    ("BUILD_TAG",),                                          # Jenkins
)


def ci_job_id(env: Mapping[str, str]) -> str | None:
    """A name for the current CI job from the CI system's variables (None outside a known CI)."""
    for names in CI_JOB_VARIABLES:
        if env.get(names[0]):
            return "-".join(env[n] for n in names if env.get(n))
    return None


def create_ci_key(home: Path, project: Path, job_id: str | None) -> Path:
    """Make (or reuse) the signing key of CI job ``job_id``, bind it to ``project``, export it.

    Without a job id (no known CI system) the key already bound to the project is reused, so
    running ``init --ci`` again never mints a second key for one job. Returns the exported public
    key path (``<project>/.vectimus/keys/<keyid>.pub``), the file a pipeline uploads with the
    receipts. The private key stays in ``<home>/keys/ci-<job>.key``.
    """
    directory = keys_dir(home)
    bound = _bound_key(home, project)
    if job_id is None and bound and bound.startswith("ci-") and (directory / bound).exists():
        name = bound
    else:
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", (job_id or "").strip())[:80] or os.urandom(8).hex()
        name = f"ci-{safe}.key"
    if not (directory / name).exists():
        _write_new_key(directory / name)
    signer = _load(directory / name)
    bindings_path = directory / BINDINGS
    try:
        bindings = json.loads(bindings_path.read_text())
        bindings = bindings if isinstance(bindings, dict) else {}
    except (OSError, ValueError):
        bindings = {}
    bindings[str(Path(project).resolve())] = name
    atomic.write(bindings_path, json.dumps(bindings, indent=2, sort_keys=True) + "\n")
    _signers.clear()
    return export_public_key(signer, project)


def load_public_keys(directory: Path) -> tuple[dict[str, Ed25519PublicKey], list[str]]:
    """Every Ed25519 public key in ``directory/*.pub`` by its computed key id, and problems found."""
    keys: dict[str, Ed25519PublicKey] = {}
    problems: list[str] = []
    for path in sorted(Path(directory).glob("*.pub")):
        try:
            key = parse_public_pem(path.read_bytes())
        except (OSError, ValueError) as exc:
            problems.append(f"{path.name}: not a PEM public key ({exc})")
            continue
        if not isinstance(key, _ED25519.Ed25519PublicKey):
            problems.append(f"{path.name}: not an Ed25519 key")
            continue
        kid = key_id(key)
        if path.stem != kid:
            problems.append(f"{path.name}: file name does not match its key id {kid}")
        keys[kid] = key
    return keys, problems

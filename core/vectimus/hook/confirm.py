"""Checking a resident evaluator's answer before the hook client prints it.

Anything of the user's own uid can listen on the evaluator's socket, and can make its process look
like the evaluator (``execve`` of the real command line, a rewritten ``/proc/self/mem``), so the
answer itself must prove where it came from. The daemon answers only once it has chained the
call's receipt, and says where it is; the client reads that receipt back from the project's own
log and accepts the answer only when it is one whole receipt line there whose payload holds:

- the client's ``nonce``: 16 random bytes of this hook process, so the receipt is this call's;
- ``input``: the digest of the exact event bytes the client sent;
- ``answer``: the exit code and the digests of the exact stdout and stderr it is about to print;

and whose signing key the project publishes beside its log (``.vectimus/keys/<keyid>.pub``).
So an impostor cannot get an answer printed without a receipt of that answer, for that event, in
the log ``vectimus verify`` checks (``docs/daemon.md``: what a process of the same user can do).

The payload is RFC 8785 canonical JSON, in which an unescaped ``"`` only ever delimits a string,
so a member is found by its exact canonical spelling without a JSON parser (``json`` would import
``re``); a key that occurs once is the receipt's own (no receipt field has keys an event
chooses, and one that did would make this check refuse, never pass). The signature is not checked
here (``cryptography`` is too heavy for this path); ``vectimus verify`` checks it. Standard
library only: this runs on every call the daemon answers.
"""

import binascii
import os

from vectimus.layout import KEYS, PROJECT_DIR, RECEIPTS, is_segment_name, project_candidates
from vectimus.receipts.files import UnsafePath, is_regular, open_dir, open_file
from vectimus.sha256 import sha256

MAX_RECEIPT_BYTES = 1 << 20
# a receipt line as ``receipts.envelope.encode`` writes it: the payload, its type, the signer's key id
ENVELOPE_START = b'{"payload":"'
SIGNED_BY = b'","payloadType":"application/vnd.vectimus.receipt+json","signatures":[{"keyid":"'
KEYID_HEX = 64
HEX = frozenset(b"0123456789abcdef")


def _digest(data: bytes) -> bytes:
    return b'{"bytes":%d,"sha256":"%s"}' % (len(data), sha256(data).hexdigest().encode())


def fragments(nonce: str, event: bytes, exit_code: int, stdout: bytes, stderr: bytes) -> tuple[bytes, ...]:
    """The canonical JSON members a receipt of this answer holds (``receipts.body`` writes them)."""
    return (b'"nonce":"%s"' % nonce.encode("ascii"),
            b'"input":' + _digest(event),
            b'"answer":{"exit":%d,"stderr":%s,"stdout":%s}' % (exit_code, _digest(stderr), _digest(stdout)))


def holds(payload: bytes, members: tuple[bytes, ...]) -> bool:
    """Whether the canonical JSON ``payload`` has each of ``members`` as its own, top-level member."""
    return all(payload.count(m[:m.index(b":") + 1]) == 1 and m in payload for m in members)


def _envelope(line: bytes) -> tuple[bytes, str] | None:
    """The payload and key id of ``line`` (a receipt envelope and its newline), None if it is not one."""
    if not (line.startswith(ENVELOPE_START) and line.endswith(b"\n")):
        return None
    end = line.find(b'"', len(ENVELOPE_START))
    keyid = line[end + len(SIGNED_BY):end + len(SIGNED_BY) + KEYID_HEX]
    if end < 0 or not line.startswith(SIGNED_BY, end) or len(keyid) != KEYID_HEX or not set(keyid) <= HEX:
        return None
    try:
        return binascii.a2b_base64(line[len(ENVELOPE_START):end], strict_mode=True), keyid.decode()
    except (binascii.Error, ValueError):
        return None


def _receipt(project: str, segment: str, offset: int, length: int) -> tuple[bytes, str] | str:
    """The payload and key id of the receipt line at ``offset``, or why there is none."""
    fds = [os.open(project, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)]
    try:
        fds.append(open_dir(PROJECT_DIR, fds[0]))
        fds.append(open_dir(RECEIPTS, fds[1]))
        fds.append(open_file(segment, os.O_RDONLY, fds[2]))
        # exactly one whole line: after a newline (or at the file's start), ending in one
        before = os.pread(fds[3], 1, offset - 1) if offset else b"\n"
        found = _envelope(os.pread(fds[3], length, offset)) if before == b"\n" else None
        if found is None:
            return "no receipt where it says"
        fds.append(open_dir(KEYS, fds[1]))
        if not is_regular(f"{found[1]}.pub", fds[4]):
            return "its receipt is signed by a key the project does not publish"
        return found
    except (OSError, UnsafePath):
        return "its receipt cannot be read"
    finally:
        for fd in reversed(fds):
            os.close(fd)


def problem(reference: list[bytes], nonce: str, event: bytes, exit_code: int, stdout: bytes, stderr: bytes) -> str:
    """Why this answer cannot be trusted ('' when its receipt is where the daemon says, as it must be).

    ``reference``: the project, segment file name, byte offset and length of the receipt's line.
    """
    try:
        project, segment = os.fsdecode(reference[0]), reference[1].decode("ascii")
        offset, length = int(reference[2]), int(reference[3])
    except (IndexError, UnicodeDecodeError, ValueError):
        return "no receipt named"
    if project not in project_candidates(os.environ, os.getcwd()):
        return "its receipt is not in this call's project"
    if not is_segment_name(segment) or offset < 0 or not 0 < length <= MAX_RECEIPT_BYTES:
        return "no receipt named"
    found = _receipt(project, segment, offset, length)
    if isinstance(found, str):
        return found
    if not holds(found[0], fragments(nonce, event, exit_code, stdout, stderr)):
        return "its receipt is not of this call and this answer"
    return ""

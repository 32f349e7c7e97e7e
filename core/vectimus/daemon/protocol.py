"""The evaluator's wire protocol: length-prefixed frames over a unix stream socket.

Standard library only: the hook client imports it on every call. One connection carries one
request and one reply, each a message: a 4-byte big-endian length, then frames (each a 4-byte
length and its bytes).

- request: ``MAGIC``, the client's installation identity, the client's deadline (Unix time, ASCII:
  when it stops waiting and evaluates itself), the agent name, its working directory, its whole
  environment (``NAME=value`` entries separated by NUL), the raw event, and the client's nonce for
  this call (32 hex digits).
- reply: a status (``ok``, ``stale``, ``declined``, ``error``), the exit code (ASCII digits),
  stdout, stderr, and where the answer's receipt is: the project directory, the segment file
  name, the byte offset and length of its line (empty unless ``ok``). Anything but ``ok`` tells
  the client to evaluate in-process; so does an ``ok`` whose receipt does not hold the nonce, the
  event and the answer (``vectimus.hook.confirm``).

The protocol only evaluates: no message stops, reloads or reconfigures the daemon.
"""

import os
import sys

MAGIC = b"vectimus-eval/2"
MAX_EVENT_BYTES = 8 * 1024 * 1024                 # the largest event a hook accepts
MAX_REQUEST_BYTES = MAX_EVENT_BYTES + 2 * 1024 * 1024  # event + environment + header
MAX_REPLY_BYTES = 1024 * 1024
REPLY_TIMEOUT = 2.0     # seconds the client waits for an answer before evaluating itself
REQUEST_TIMEOUT = 2.0   # seconds the daemon waits for a whole request
LATE_MARGIN = 0.5       # the daemon does not start on a request with less time left than this

OK, STALE, DECLINED, ERROR = b"ok", b"stale", b"declined", b"error"
REQUEST_FRAMES, REPLY_FRAMES = 8, 8


class ProtocolError(ValueError):
    """A message is malformed, too large or too slow."""


class Closed(ProtocolError):
    """The peer closed the connection before sending anything."""


def identity() -> bytes:
    """This installation: the Vectimus version, its package directory and the interpreter."""
    import vectimus

    package = os.path.dirname(os.path.abspath(vectimus.__file__))
    return "\0".join((vectimus.__version__, package, sys.executable)).encode("utf-8", "surrogateescape")


def pack(frames: list[bytes]) -> bytes:
    """One message holding ``frames``."""
    body = b"".join(len(f).to_bytes(4, "big") + f for f in frames)
    return len(body).to_bytes(4, "big") + body


def unpack(body: bytes) -> list[bytes]:
    """The frames of a message body (without its length prefix)."""
    frames, at, end = [], 0, len(body)
    while at < end:
        if at + 4 > end:
            raise ProtocolError("truncated frame header")
        size = int.from_bytes(body[at:at + 4], "big")
        at += 4
        if at + size > end:
            raise ProtocolError("truncated frame")
        frames.append(body[at:at + size])
        at += size
    return frames


def _recv_exact(sock, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = sock.recv(min(left, 1 << 20))
        if not chunk:
            raise ProtocolError("connection closed mid-message")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_message(sock, limit: int) -> list[bytes]:
    """Read one message from ``sock`` (its timeout bounds each read) and return its frames."""
    first = sock.recv(4)
    if not first:
        raise Closed("connection closed")
    size = int.from_bytes(first + _recv_exact(sock, 4 - len(first)), "big")
    if size > limit:
        raise ProtocolError(f"message of {size} bytes exceeds {limit}")
    return unpack(_recv_exact(sock, size))


def encode_env(environ) -> bytes:
    """An environment (``os.environb``) as NUL-separated ``NAME=value`` entries."""
    return b"\0".join(k + b"=" + v for k, v in environ.items())


def decode_env(blob: bytes) -> dict[str, str]:
    """The inverse of ``encode_env``, decoded the way ``os.environ`` decodes."""
    env = {}
    for entry in blob.split(b"\0") if blob else ():
        name, sep, value = entry.partition(b"=")
        if not sep:
            raise ProtocolError("environment entry without '='")
        env[os.fsdecode(name)] = os.fsdecode(value)
    return env


def request(agent: str, cwd: str, environ, event: bytes, deadline: float, nonce: str) -> bytes:
    """The request message for one event."""
    return pack([MAGIC, identity(), repr(deadline).encode(), agent.encode("utf-8", "surrogateescape"),
                 os.fsencode(cwd), encode_env(environ), event, nonce.encode("ascii")])


def reply(status: bytes, exit_code: int = 0, stdout: str = "", stderr: str = "",
          receipt: tuple[str, str, int, int] = ("", "", 0, 0)) -> bytes:
    """The reply message; ``receipt`` is where the answer's receipt is (project, segment, offset, length)."""
    project, segment, offset, length = receipt
    return pack([status, str(exit_code).encode(), stdout.encode("utf-8", "surrogateescape"),
                 stderr.encode("utf-8", "surrogateescape"), os.fsencode(project), segment.encode("ascii"),
                 str(offset).encode(), str(length).encode()])


def peer_credentials(sock) -> tuple[int, int, int]:
    """``(pid, uid, gid)`` of the process at the other end of a unix socket (Linux SO_PEERCRED)."""
    import _socket

    raw = sock.getsockopt(_socket.SOL_SOCKET, _socket.SO_PEERCRED, 12)
    return tuple(int.from_bytes(raw[i:i + 4], sys.byteorder) for i in (0, 4, 8))  # type: ignore[return-value]

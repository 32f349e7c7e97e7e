"""RFC 6962 Merkle tree hashes, kept incrementally as a frontier of perfect subtrees.

``leaf = SHA-256(0x00 || data)``, ``node = SHA-256(0x01 || left || right)``; the root of ``n``
leaves splits at the largest power of two below ``n`` (RFC 6962 section 2.1). The frontier holds
one ``(size, hash)`` per set bit of ``n``, largest first, so appending and taking the root cost
O(log n) and the writer never re-reads the log.
"""

from __future__ import annotations

from vectimus.sha256 import sha256

EMPTY_ROOT = sha256(b"").hexdigest()


def leaf_hash(data: bytes) -> bytes:
    """RFC 6962 leaf hash."""
    return sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 6962 interior node hash."""
    return sha256(b"\x01" + left + right).digest()


def append(frontier: list[tuple[int, bytes]], data: bytes) -> None:
    """Add one leaf to ``frontier`` in place."""
    frontier.append((1, leaf_hash(data)))
    while len(frontier) > 1 and frontier[-1][0] == frontier[-2][0]:
        (size, right), (_, left) = frontier.pop(), frontier.pop()
        frontier.append((size * 2, node_hash(left, right)))


def root(frontier: list[tuple[int, bytes]]) -> str:
    """The hex root hash of the tree whose frontier this is."""
    if not frontier:
        return EMPTY_ROOT
    acc = frontier[-1][1]
    for _, left in reversed(frontier[:-1]):
        acc = node_hash(left, acc)
    return acc.hex()


def dump(frontier: list[tuple[int, bytes]]) -> list:
    """The frontier as JSON-ready ``[[size, hex], …]``."""
    return [[size, digest.hex()] for size, digest in frontier]


def load(data) -> list[tuple[int, bytes]]:
    """The inverse of ``dump``; raises ValueError for anything malformed."""
    return [(int(size), bytes.fromhex(digest)) for size, digest in data]

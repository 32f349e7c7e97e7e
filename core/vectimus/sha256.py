"""SHA-256 without ``hashlib``, whose import loads OpenSSL: about 3 ms of every hook process.

``sha256(data)`` is a ``hashlib.sha256`` object (``update``, ``digest``, ``hexdigest``): the
interpreter's built-in implementation, or OpenSSL's for data of ``LARGE`` bytes and more, where
its speed (about eight times the built-in's) pays for loading it. Standard library only: used on
the hot path.
"""

import sys

try:  # the built-in module
    if sys.version_info >= (3, 12):
        from _sha2 import sha256 as _builtin
    else:
        from _sha256 import sha256 as _builtin
except ImportError:  # a build without the built-in hashes
    _builtin = None

LARGE = 1 << 19  # 512 KiB


def sha256(data: bytes = b""):
    """A SHA-256 hash object over ``data`` (more may be added with ``update``)."""
    if _builtin is None or len(data) >= LARGE:
        import hashlib

        return hashlib.sha256(data)
    return _builtin(data)

"""vectimus.sha256: the digests hashlib gives, from the built-in module or OpenSSL by size."""

from __future__ import annotations

import hashlib

from vectimus import sha256 as module
from vectimus.sha256 import sha256


def test_digests_are_hashlib_s_for_small_and_large_data():
    for data in (b"", b"abc", bytes(range(256)) * 100, b"x" * module.LARGE):
        assert sha256(data).hexdigest() == hashlib.sha256(data).hexdigest()
        assert sha256(data).digest() == hashlib.sha256(data).digest()


def test_small_data_uses_the_built_in_module_and_updates_like_hashlib():
    small = sha256(b"a")
    assert type(small) is not type(hashlib.sha256(b"a"))  # the interpreter's own, not OpenSSL's
    small.update(b"b" * 1000)
    assert small.hexdigest() == hashlib.sha256(b"a" + b"b" * 1000).hexdigest()

"""The wire format's building blocks against their specifications' own test vectors."""

from __future__ import annotations

import functools
import hashlib
import importlib.util

import pytest
from hypothesis import given, strategies as st

from vectimus.receipts import merkle
from vectimus.receipts.envelope import EnvelopeError, canonical, decode, encode, pae

from tests.support.receipts import EXAMPLE

# RFC 6962 / Certificate Transparency reference vectors: leaves and the root after each one.
CT_LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


@functools.cache
def load_example():
    spec = importlib.util.spec_from_file_location("verify_receipts_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_merkle_frontier_matches_rfc6962_vectors():
    frontier: list = []
    for leaf, expected in zip(CT_LEAVES, CT_ROOTS):
        merkle.append(frontier, bytes.fromhex(leaf))
        assert merkle.root(frontier) == expected
    assert merkle.root([]) == hashlib.sha256(b"").hexdigest()


def test_example_merkle_matches_rfc6962_vectors():
    example = load_example()
    leaves = [bytes.fromhex(x) for x in CT_LEAVES]
    cache: dict = {}
    assert [example.merkle_root(leaves, n, cache) for n in range(1, 9)] == CT_ROOTS


@given(st.lists(st.binary(max_size=8), max_size=70))
def test_frontier_root_equals_the_recursive_definition_at_every_size(leaves):
    example = load_example()
    frontier: list = []
    cache: dict = {}
    for n, leaf in enumerate(leaves, 1):
        merkle.append(frontier, leaf)
        assert merkle.root(merkle.load(merkle.dump(frontier))) == example.merkle_root(leaves, n, cache)


def test_pae_matches_the_dsse_specification_example():
    assert pae("http://example.com/HelloWorld", b"hello world") == \
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"


def test_envelope_round_trip_and_rejections():
    line = encode("t", b"{}", "k" * 64, b"s" * 64)
    env = decode(line)
    assert (env.payload_type, env.payload, env.signatures) == ("t", b"{}", (("k" * 64, b"s" * 64),))
    for bad in (b"[]", b"{", b'{"payloadType":"t","payload":"e30=","signatures":[]}',
                b'{"payloadType":"t","payload":"not base64!","signatures":[{"keyid":"k","sig":""}]}'):
        with pytest.raises(EnvelopeError):
            decode(bad)


JSON_SUBSET = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20,
)


@given(JSON_SUBSET)
def test_example_canonicalisation_equals_rfc8785_library(value):
    """The example's hand-written JCS agrees with the rfc8785 library on the receipt subset."""
    try:
        expected = canonical(value)
    except Exception:  # lone surrogates: the library refuses, so must the example
        with pytest.raises(ValueError):
            load_example().jcs(value).encode("utf-8")
        return
    assert load_example().jcs(value).encode("utf-8") == expected


ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20,
)


@given(ANY_JSON)
def test_canonical_writes_what_the_rfc8785_library_writes(value):
    """``canonical`` takes the standard library's encoder where it agrees with JCS; on any value
    (floats, integers past 2**53, keys beyond U+FFFF, lone surrogates) the bytes, or the refusal,
    are the rfc8785 library's."""
    import rfc8785

    try:
        expected: bytes | type = rfc8785.dumps(value)
    except Exception as exc:
        expected = type(exc)
    try:
        got: bytes | type = canonical(value)
    except Exception as exc:
        got = type(exc)
    assert got == expected


def test_canonical_orders_keys_by_utf16_code_units():
    value = {"\U0001f600": 1, "\ufb01": 2, "a": 3}
    assert canonical(value) == '{"a":3,"\U0001f600":1,"\ufb01":2}'.encode()
    assert load_example().jcs(value).encode() == canonical(value)

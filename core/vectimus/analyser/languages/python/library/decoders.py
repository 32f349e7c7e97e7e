"""Decoders the code may hide a payload behind: base64/32/16/85, hex, codecs (rot13), zlib,
gzip, bz2 and lzma, folded when the data is known.
"""

from __future__ import annotations

from vectimus.analyser.languages import decode
from vectimus.analyser.languages import values as V
from vectimus.analyser.languages.folding import number, text
from vectimus.analyser.languages.python.library.names import arg
from vectimus.analyser.languages.values import CONST


def _decoder(fn):
    def handler(ev, args, kwargs):
        data = args[0] if args else None
        if data is None:
            return V.unknown("decoded data")
        results = []
        for o in V.options(data):
            raw = o.value if o.kind == CONST and isinstance(o.value, (str, bytes, bytearray)) else None
            out = fn(raw, args, kwargs) if raw is not None else None
            if out is None:
                return V.unknown("decoded data", V.taint_of(data))
            results.append(V.const(out, o.taint))
        return V.alts(results)
    return handler


def _b64(raw, args, kwargs):
    alt = args[1].value if len(args) > 1 and args[1].kind == CONST and isinstance(args[1].value, bytes) else None
    return decode.base64(raw, altchars=alt)


def _b64encode(raw, args, kwargs):
    import binascii

    data = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
    return binascii.b2a_base64(data, newline=False) if len(data) <= decode.LIMIT // 2 else None


def _codecs_decode(ev, args, kwargs):
    data = arg(args, kwargs, 0, "obj")
    encoding = arg(args, kwargs, 1, "encoding")
    name = text(encoding) if encoding is not None else "utf-8"
    if data is None or name is None:
        return V.unknown("decoded data", V.taint_of(data) if data is not None else 0)
    if data.kind == CONST and isinstance(data.value, (str, bytes, bytearray)):
        out = decode.by_codec(data.value, name)
        if out is not None:
            return V.const(out, data.taint)
    return V.unknown("decoded data", V.taint_of(data))


def _wbits(args, kwargs) -> int:
    wbits = arg(args, kwargs, 1, "wbits")
    return wbits.value if wbits is not None and number(wbits) and isinstance(wbits.value, int) else 15


def _fromhex(raw, args, kwargs):
    return decode.hexa(raw) if isinstance(raw, str) else None


# -- tables ----------------------------------------------------------------------------------------

CALLS: dict = {
    "base64.b64decode": _decoder(_b64), "base64.standard_b64decode": _decoder(_b64),
    "base64.urlsafe_b64decode": _decoder(lambda r, a, k: decode.base64(r, urlsafe=True)),
    "base64.decodebytes": _decoder(_b64), "base64.decodestring": _decoder(_b64),
    "base64.b32decode": _decoder(lambda r, a, k: decode.base32(r)),
    "base64.b16decode": _decoder(lambda r, a, k: decode.hexa(r)),
    "base64.b85decode": _decoder(lambda r, a, k: decode.base85(r)),
    "base64.a85decode": _decoder(lambda r, a, k: decode.base85(r, ascii85=True)),
    "base64.b64encode": _decoder(_b64encode), "binascii.a2b_base64": _decoder(_b64),
    "binascii.unhexlify": _decoder(lambda r, a, k: decode.hexa(r)),
    "binascii.a2b_hex": _decoder(lambda r, a, k: decode.hexa(r)), "bytes.fromhex": _decoder(_fromhex),
    "bytearray.fromhex": _decoder(_fromhex), "codecs.decode": _codecs_decode, "codecs.encode": _codecs_decode,
    "zlib.decompress": _decoder(lambda r, a, k: decode.inflate(r, _wbits(a, k))),
    "gzip.decompress": _decoder(lambda r, a, k: decode.inflate(r, 31)),
    "bz2.decompress": _decoder(lambda r, a, k: decode.bz2(r)),
    "lzma.decompress": _decoder(lambda r, a, k: decode.lzma(r)),
}

METHODS: dict = {

}

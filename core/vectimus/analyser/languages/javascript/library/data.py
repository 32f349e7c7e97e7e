"""The environment, output and decoding: ``process.env``, ``console``, ``JSON``, ``Buffer``, ``atob``, zlib."""

from __future__ import annotations

import re

from vectimus.analyser.languages import decode, patching
from vectimus.analyser.languages import values as V
from vectimus.analyser.languages.folding import env_var, json_text, json_value, number, text, to_text
from vectimus.analyser.languages.javascript.library.arguments import arg
from vectimus.analyser.languages.values import CONST, ENV, OBJ, REF, SEQ, Val


def _shown(ev, args):
    """console.*, process.stdout/stderr.write: what the agent reads."""
    ev.fx.shown("console", *args)
    return V.NONE


def _stringify(ev, args):
    return json_text(arg(args, 0) or V.NONE, separators=(",", ":"))


# modules whose members run programs, change files or run code: one chosen at run time (``cp[k]``,
# ``Object.values(cp)[0]``) is a call nobody can read here
RISKY_MODULES = frozenset(("child_process", "fs", "fs.promises", "vm", "worker_threads", "module", "process",
                           "Deno", "Bun", "shelljs", "execa", "zx"))
ANY_MEMBER = "?"


def any_member(owner: Val) -> Val | None:
    """A member of a risky module chosen at run time, or None for other values."""
    if owner.kind == REF and owner.value in RISKY_MODULES:
        return V.obj("anyattr", ANY_MEMBER)
    return None


def _tainted_copy(ev, args):
    member = any_member(args[0]) if args else None  # Object.values(child_process): its functions
    return V.unknown("a copy", V.taint_of(*args), item=member or V.unknown("an entry", V.taint_of(*args)))


def _names(ev, args):
    """``Object.keys(process.env)``: the names, which are not the environment's values."""
    taint = V.taint_of(*args) & ~ENV
    return V.unknown("names", taint, item=V.unknown("a name", taint))


def _buffer_from(ev, args):
    data = arg(args, 0)
    encoding = text(arg(args, 1) or V.const("utf8")) or "utf8"
    if data is None:
        return V.const(b"")
    if data.kind == CONST and isinstance(data.value, str):
        out = _decode(data.value, encoding)
        return V.const(out, data.taint) if out is not None else V.unknown("bytes", data.taint)
    if data.kind == CONST and isinstance(data.value, (bytes, bytearray)):
        return data
    if data.kind == SEQ and all(number(x) and isinstance(x.value, int) and 0 <= x.value < 256 for x in data.value) \
            and len(data.value) <= decode.LIMIT:
        return V.const(bytes(x.value for x in data.value))
    return V.unknown("bytes", V.taint_of(data))


def _decode(value: str, encoding: str) -> bytes | None:
    encoding = encoding.lower().replace("-", "")
    if encoding in ("base64", "base64url"):
        return decode.base64(value, urlsafe=encoding == "base64url" or "-" in value or "_" in value)
    if encoding == "hex":
        return decode.hexa(value)
    if encoding in ("latin1", "binary", "ascii"):
        return value.encode("latin-1", "replace")
    if encoding in ("utf8", "utf16le", "ucs2"):
        return value.encode("utf-8" if encoding == "utf8" else "utf-16-le", "surrogatepass")
    return None


def _atob(ev, args):
    data = arg(args, 0)
    if data is not None and data.is_str:
        out = decode.base64(data.value)
        if out is not None:
            return V.const(out.decode("latin-1"), data.taint)
    return V.unknown("decoded text", V.taint_of(*args))


def _btoa(ev, args):
    import base64

    data = arg(args, 0)
    if data is not None and data.is_str and len(data.value) <= decode.LIMIT // 2:
        try:
            return V.const(base64.b64encode(data.value.encode("latin-1")).decode(), data.taint)
        except UnicodeEncodeError:
            pass
    return V.unknown("base64", V.taint_of(*args))


def _unquote(ev, args):
    from urllib.parse import unquote

    data = arg(args, 0)
    if data is not None and data.is_str:
        value = re.sub(r"%u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), data.value)
        return V.const(unquote(value), data.taint)
    return V.unknown("decoded text", V.taint_of(*args))


def _from_char_code(ev, args):
    if args and all(number(a) and isinstance(a.value, int) and 0 <= a.value < 0x110000 for a in args):
        return V.const("".join(chr(a.value) for a in args))
    return V.unknown("text", V.taint_of(*args))


def _inflate(wbits: int):
    def handler(ev, args):
        data = arg(args, 0)
        if data is not None and data.kind == CONST and isinstance(data.value, (bytes, bytearray)):
            out = decode.inflate(data.value, wbits)
            if out is not None:
                return V.const(out, data.taint)
        return V.unknown("decompressed data", V.taint_of(*args))
    return handler


def _string_ctor(ev, args):
    return to_text(args[0]) if args else V.const("")


def _number(name: str):
    """parseInt / parseFloat / Number: a number (NaN at worst), folded when known; unknown when the
    code may have put another function under the name (``patching``)."""
    def handler(ev, args):
        value = args[0] if args else V.const(0)
        t = text(value) if value.kind == CONST else None
        if t is not None and t.strip().lstrip("+-").isdigit() and len(t) < 16:
            return V.const(int(t.strip()), value.taint)
        if patching.patched(ev.an, name):
            return V.unknown(f"{name}()", V.taint_of(*args))
        return V.numeric(V.taint_of(*args))
    return handler


def _identity(ev, args):
    return args[0] if args else V.NONE


def _reflect_apply(ev, args):
    if not args:
        return V.NONE
    call_args = args[2] if len(args) > 2 else None
    return ev.call(args[0], list(call_args.value) if call_args is not None and call_args.kind == SEQ else [])


def _promise(ev, args):
    return args[0] if args else V.NONE


def _m_to_string(ev, owner, args):
    encoding = text(arg(args, 0) or V.const("utf8")) or "utf8"
    if owner.kind == CONST and isinstance(owner.value, (bytes, bytearray)):
        raw = bytes(owner.value)
        encoding = encoding.lower().replace("-", "")
        if encoding == "base64":
            import base64

            return V.const(base64.b64encode(raw).decode(), owner.taint)
        if encoding == "hex":
            return V.const(raw.hex(), owner.taint)
        return V.const(raw.decode("latin-1" if encoding in ("latin1", "binary") else "utf-8", "replace"), owner.taint)
    return to_text(owner) if owner.kind in (CONST, V.ALTS) or (owner.kind == OBJ and owner.value[0] == "partial") \
        else V.unknown("text", V.taint_of(owner))


def _m_read(ev, owner, args):
    return V.unknown("data", V.taint_of(owner))


def _m_environ_get(ev, owner, args):
    return env_var(ev.an, arg(args, 0) or V.unknown("?"), cmd=ev.fx.cmd)


def _m_environ_all(ev, owner, args):
    return V.unknown("the environment", ENV, item=V.unknown("a variable", ENV))


METHODS = {
    ("str", "toString"): _m_to_string, ("bytes", "toString"): _m_to_string, ("partial", "toString"): _m_to_string,
    ("environ", "get"): _m_environ_get, ("environ", "toObject"): _m_environ_all,
}
GENERIC_METHODS = {"text": _m_read, "json": _m_read, "toString": _m_to_string}
CALLS = {
    "console.log": _shown, "console.error": _shown, "console.info": _shown, "console.warn": _shown,
    "console.debug": _shown, "console.dir": _shown, "console.table": _shown, "console.trace": _shown,
    "process.stdout.write": _shown, "process.stderr.write": _shown,
    "JSON.stringify": _stringify, "Object.entries": _tainted_copy, "Object.keys": _names,
    "Object.values": _tainted_copy, "Object.assign": _tainted_copy, "structuredClone": _identity,
    "Buffer.from": _buffer_from, "Buffer": _buffer_from, "atob": _atob, "btoa": _btoa,
    "decodeURIComponent": _unquote, "decodeURI": _unquote, "unescape": _unquote,
    "String.fromCharCode": _from_char_code, "String.fromCodePoint": _from_char_code, "String": _string_ctor,
    "zlib.inflateSync": _inflate(15), "zlib.gunzipSync": _inflate(31), "zlib.inflateRawSync": _inflate(-15),
    "zlib.unzipSync": _inflate(47), "Promise.resolve": _promise, "Reflect.apply": _reflect_apply,
    "JSON.parse": lambda ev, args: json_value(args[0]) if args else V.unknown("data"),
    "parseInt": _number("parseInt"), "parseFloat": _number("parseFloat"), "Number": _number("Number"),
}

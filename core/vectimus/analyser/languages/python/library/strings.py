"""Strings and bytes: ``str()``, ``repr()``, ``%`` and ``.format`` formatting, the str/bytes methods
that fold when their arguments are known, and the constructors and quoting helpers that build text.
"""

from __future__ import annotations

import re

from vectimus.analyser.languages import decode
from vectimus.analyser.languages import patching
from vectimus.analyser.languages import values as V
from vectimus.analyser.languages.folding import number, path_val, stringish, text
from vectimus.analyser.languages.python.library.containers import dict_lookup
from vectimus.analyser.languages.python.library.names import arg
from vectimus.analyser.languages.values import ALTS, CONST, DICT, INERT_MARK, OBJ, SEQ, UNKNOWN, Val

MAX_REPEAT = 4096


def to_str(v: Val) -> Val:
    """``str(v)``."""
    if v.kind == OBJ and v.value[0] in ("path", "partial"):
        return path_val(v)
    if v.kind == CONST:
        value = v.value
        if isinstance(value, str):
            return v
        if isinstance(value, (bytes, bytearray)):
            return V.const(repr(bytes(value)), v.taint)
        return V.const(str(value), v.taint)
    if v.kind == ALTS:
        return V.alts([to_str(o) for o in v.value])
    if v.kind == SEQ and all(x.kind == CONST for x in v.value) and len(v.value) <= 64:
        try:
            return V.const(repr(list(x.value for x in v.value) if isinstance(v.value, list)
                                else tuple(x.value for x in v.value)), V.taint_of(v))
        except Exception:  # repr of a folded value
            pass
    if V.is_inert(v):  # a number, a parameter, an environment variable: still one
        return v
    return V.unknown("str()", V.taint_of(v))


def builtin_repr(v: Val) -> Val:
    if v.kind == CONST:
        return V.const(repr(v.value), v.taint)
    return V.Val(V.UNKNOWN, "repr()", V.taint_of(v))  # (the text of what it shows, quoted: SHOWN kept)


_PERCENT = re.compile(r"%(?:\((\w+)\))?([-#0 +]*)(\d{0,3})(?:\.(\d{1,3}))?([sdirxXfc%])")


_NUMERIC_CONVERSIONS = "dirxXf"


def percent_format(fmt: Val, args: Val) -> Val:
    """``"…%s…" % args`` with unknown arguments left as unknown parts."""
    items = list(args.value) if args.kind == SEQ and not isinstance(args.value, list) else [args]
    parts: list[Val] = []
    pos = 0
    index = 0
    for m in _PERCENT.finditer(fmt.value):
        parts.append(V.const(fmt.value[pos:m.start()]))
        pos = m.end()
        if m.group(5) == "%":
            parts.append(V.const("%"))
            continue
        if m.group(1) is not None:
            item = dict_lookup(args, V.const(m.group(1))) if args.kind == DICT else V.unknown("a value")
        else:
            item = items[index] if index < len(items) else V.unknown("a value")
            index += 1
        if item.kind == CONST and not isinstance(item.value, (bytes, bytearray)):
            try:
                parts.append(V.const(m.group(0) % (item.value,), item.taint))
                continue
            except (TypeError, ValueError, OverflowError):
                pass
        if m.group(5) in _NUMERIC_CONVERSIONS:  # a number or an error: no shell syntax
            parts.append(V.numeric(V.taint_of(item)))
            continue
        parts.append(to_str(item) if item.kind != CONST else V.unknown("a value", item.taint))
    parts.append(V.const(fmt.value[pos:]))
    return V.concat(parts).tainted(V.taint_of(args))


_FIELD = re.compile(r"\{([^{}]*)\}|\{\{|\}\}")


def str_format(fmt: str, args: list[Val], kwargs: dict[str, Val], taint: int) -> Val:
    """``"…{}…".format(…)`` with plain fields; unknown arguments become unknown parts."""
    parts: list[Val] = []
    pos = 0
    auto = 0
    for m in _FIELD.finditer(fmt):
        parts.append(V.const(fmt[pos:m.start()]))
        pos = m.end()
        if m.group(1) is None:
            parts.append(V.const(m.group(0)[0]))
            continue
        field = m.group(1)
        name, _, spec = field.partition(":")
        name, _, conv = name.partition("!")
        if not name:
            item = args[auto] if auto < len(args) else V.unknown("a value")
            auto += 1
        elif name.isdigit():
            item = args[int(name)] if int(name) < len(args) else V.unknown("a value")
        elif name.isidentifier():
            item = kwargs.get(name, V.unknown(name))
        else:
            item = V.unknown("a field")
        if spec and not re.fullmatch(r"[<>^=]?[-+ ]?#?0?\d{0,3}(\.\d{1,3})?[sdxXfgeo%]?", spec):
            item = V.unknown("a formatted value", V.taint_of(item))
        elif spec and item.kind == CONST:
            try:
                item = V.const(format(item.value, spec), item.taint)
            except (ValueError, TypeError):
                item = V.unknown("a formatted value", item.taint)
        parts.append(builtin_repr(item) if conv == "r" else to_str(item))
    parts.append(V.const(fmt[pos:]))
    return V.concat(parts).tainted(taint)


def _chr(ev, args, kwargs):
    v = args[0] if args else None
    if v is not None and number(v) and isinstance(v.value, int) and 0 <= v.value < 0x110000:
        return V.const(chr(v.value))
    return V.unknown("a character", V.taint_of(v) if v is not None else 0)


def _bytes_ctor(ev, args, kwargs):
    if not args:
        return V.const(b"")
    v = args[0]
    if v.kind == CONST and isinstance(v.value, str):
        enc = text(args[1]) if len(args) > 1 else "utf-8"
        try:
            return V.const(v.value.encode(enc or "utf-8"), v.taint)
        except (LookupError, UnicodeEncodeError):
            return V.unknown("bytes", v.taint)
    if v.kind == CONST and isinstance(v.value, (bytes, bytearray)):
        return V.const(bytes(v.value), v.taint)
    if v.kind == SEQ and len(v.value) <= decode.LIMIT and \
            all(number(x) and isinstance(x.value, int) and 0 <= x.value < 256 for x in v.value):
        return V.const(bytes(x.value for x in v.value))
    return V.unknown("bytes", V.taint_of(v))


def _str_ctor(ev, args, kwargs):
    if not args:
        return V.const("")
    if len(args) > 1 and args[0].kind == CONST and isinstance(args[0].value, (bytes, bytearray)):
        try:
            return V.const(bytes(args[0].value).decode(text(args[1]) or "utf-8"), args[0].taint)
        except (LookupError, UnicodeDecodeError):
            return V.unknown("a string", args[0].taint)
    return to_str(args[0])


def _shlex_split(ev, args, kwargs):
    import shlex

    t = text(args[0]) if args else None
    if t is None or not args[0].is_str:
        return V.unknown("words", V.taint_of(*args), item=V.unknown("a word", V.taint_of(*args)))
    try:
        return V.Val(SEQ, [V.const(w, args[0].taint) for w in shlex.split(t)])
    except ValueError:
        return V.unknown("words", args[0].taint)


def _shlex_join(ev, args, kwargs):
    import shlex

    if args and args[0].kind == SEQ:
        parts: list[Val] = []
        for i, item in enumerate(args[0].value):
            if i:
                parts.append(V.const(" "))
            parts.append(V.const(shlex.quote(item.value), item.taint) if item.is_str
                         else V.unknown("a word", item.taint) if patching.patched(ev.an, "shlex.quote")
                         else V.partial("'" + INERT_MARK + "'", item.taint))
        return V.concat(parts)
    return V.unknown("a command line", V.taint_of(*args))


def _shlex_quote(ev, args, kwargs):
    import shlex

    v = args[0] if args else V.const("")
    if v.is_str:
        return V.const(shlex.quote(v.value), v.taint)
    if patching.patched(ev.an, "shlex.quote"):
        return V.unknown("a quoted value", V.taint_of(v))
    return V.partial("'" + INERT_MARK + "'", V.taint_of(v))  # one word, whatever it holds


def _number(fn):
    """int() / float() / len() / ord(): folded when known, else a number (these refuse to return
    anything else, whatever ``__int__`` or ``__len__`` the code defines)."""
    def handler(ev, args, kwargs):
        if fn is len and args and args[0].kind == SEQ:
            return V.const(len(args[0].value))
        if args and not kwargs and all(a.kind == CONST for a in args):
            try:
                return V.const(fn(*(a.value for a in args)), V.taint_of(*args))
            except (TypeError, ValueError, OverflowError):
                pass
        if patching.patched(ev.an, fn.__name__):
            return V.unknown(f"{fn.__name__}()", V.taint_of(*args, *kwargs.values()))
        return V.numeric(V.taint_of(*args, *kwargs.values()))
    return handler


def _m_join(ev, owner, args, kwargs):
    items = args[0] if args else V.seq([])
    sep = owner
    if items.kind == SEQ and len(items.value) <= 4096:
        parts: list[Val] = []
        for i, item in enumerate(items.value):
            if i:
                parts.append(sep)
            parts.append(item if stringish(item) else V.unknown("an item", V.taint_of(item)))
        return V.concat(parts, as_bytes=isinstance(owner.value, bytes))
    if items.kind == UNKNOWN and items.item is not None and V.render(items.item)[0].strip("'") == INERT_MARK:
        return V.partial(INERT_MARK, V.taint_of(items, owner))  # quoted words or numbers, however many
    return V.unknown("joined text", V.taint_of(items, owner))


def _m_format(ev, owner, args, kwargs):
    return str_format(owner.value, args, kwargs, V.taint_of(owner, *args, *kwargs.values()))


def _m_format_map(ev, owner, args, kwargs):
    mapping = args[0] if args else V.Val(DICT, [])
    kw = {k.value: v for k, v in mapping.value if k.is_str} if mapping.kind == DICT else {}
    return str_format(owner.value, [], kw, V.taint_of(owner, mapping))


def _m_str(fn):
    """A str/bytes method that folds when its arguments are known."""
    def handler(ev, owner, args, kwargs):
        if all(a.kind == CONST for a in args) and owner.kind == CONST:
            try:
                result = fn(owner.value, *[a.value for a in args])
            except Exception:  # the code's own call would raise: the value is unknown
                return V.unknown("a string", V.taint_of(owner))
            if isinstance(result, (list, tuple)):
                return V.Val(SEQ, [V.const(r, owner.taint) for r in result])
            if isinstance(result, (str, bytes)) and len(result) > decode.LIMIT:
                return V.unknown("a long string", owner.taint)
            return V.const(result, owner.taint)
        return V.unknown("a string", V.taint_of(owner, *args))
    return handler


def _m_decode(ev, owner, args, kwargs):
    encoding = text(arg(args, kwargs, 0, "encoding") or V.const("utf-8")) or "utf-8"
    errors = text(arg(args, kwargs, 1, "errors") or V.const("strict")) or "strict"
    if owner.kind == CONST and isinstance(owner.value, (bytes, bytearray)):
        out = decode.by_codec(bytes(owner.value), encoding)
        if out is None:
            try:
                out = bytes(owner.value).decode(encoding, errors)
            except (LookupError, UnicodeError):  # idna and punycode raise UnicodeError itself
                return V.unknown("text", owner.taint)
        return V.const(out, owner.taint)
    if owner.kind == CONST and isinstance(owner.value, str):
        out = decode.by_codec(owner.value, encoding)
        return V.const(out, owner.taint) if out is not None else V.unknown("text", owner.taint)
    return owner if owner.kind == OBJ and owner.value[0] == "partial" else V.unknown("text", V.taint_of(owner))


def _m_encode(ev, owner, args, kwargs):
    encoding = text(arg(args, kwargs, 0, "encoding") or V.const("utf-8")) or "utf-8"
    if owner.kind == CONST and isinstance(owner.value, str):
        special = decode.by_codec(owner.value, encoding) if encoding.lower().startswith("rot") else None
        if special is not None:
            return V.const(special, owner.taint)
        try:
            return V.const(owner.value.encode(encoding, "surrogateescape"), owner.taint)
        except (LookupError, UnicodeError):  # idna refuses the error handler with UnicodeError itself
            return V.unknown("bytes", owner.taint)
    return owner if owner.kind == OBJ and owner.value[0] == "partial" else V.unknown("bytes", V.taint_of(owner))


def _too_long():
    raise ValueError("folding would make a string too long")


_STR_FOLDS = {
    "replace": lambda s, old, new, *n: (s.replace(old, new, *n) if len(s) * (len(new) + 1) <= decode.LIMIT
                                        else _too_long()),
    "strip": lambda s, *a: s.strip(*a), "lstrip": lambda s, *a: s.lstrip(*a), "rstrip": lambda s, *a: s.rstrip(*a),
    "lower": lambda s: s.lower(), "upper": lambda s: s.upper(), "title": lambda s: s.title(),
    "capitalize": lambda s: s.capitalize(), "swapcase": lambda s: s.swapcase(), "casefold": lambda s: s.casefold(),
    "split": lambda s, *a: s.split(*a), "rsplit": lambda s, *a: s.rsplit(*a),
    "splitlines": lambda s, *a: s.splitlines(*a),
    "removeprefix": lambda s, p: s.removeprefix(p), "removesuffix": lambda s, p: s.removesuffix(p),
    "zfill": lambda s, n: s.zfill(min(n, 4096)), "partition": lambda s, p: s.partition(p),
    "rpartition": lambda s, p: s.rpartition(p), "expandtabs": lambda s, *a: s.expandtabs(*[min(x, 16) for x in a]),
    "center": lambda s, n, *a: s.center(min(n, 4096), *a), "ljust": lambda s, n, *a: s.ljust(min(n, 4096), *a),
    "rjust": lambda s, n, *a: s.rjust(min(n, 4096), *a), "hex": lambda s, *a: s.hex(*a),
    "translate": lambda s, table: s.translate(table),
}


# -- tables ----------------------------------------------------------------------------------------

CALLS: dict = {
    "chr": _chr, "str": _str_ctor, "bytes": _bytes_ctor, "bytearray": _bytes_ctor,
    "repr": lambda ev, a, k: builtin_repr(a[0]) if a else V.const(""), "shlex.split": _shlex_split,
    "shlex.join": _shlex_join, "shlex.quote": _shlex_quote, "pipes.quote": _shlex_quote,
    "subprocess.list2cmdline": _shlex_join, "int": _number(int), "float": _number(float), "len": _number(len),
    "ord": _number(ord),
}

METHODS: dict = {
    ("str", "join"): _m_join, ("bytes", "join"): _m_join, ("str", "format"): _m_format,
    ("str", "format_map"): _m_format_map, ("str", "encode"): _m_encode, ("bytes", "decode"): _m_decode,
    ("str", "decode"): _m_decode, ("partial", "encode"): _m_encode, ("partial", "decode"): _m_decode,
    ("partial", "format"): lambda ev, o, a, k: V.unknown("text", V.taint_of(o, *a)),
}

GENERIC_METHODS: dict = {
    "decode": _m_decode, "encode": _m_encode,
}
for _name, _fn in _STR_FOLDS.items():
    METHODS[("str", _name)] = _m_str(_fn)
    METHODS[("bytes", _name)] = _m_str(_fn)

"""Methods of promises, arrays and strings."""

from __future__ import annotations

from vectimus.analyser.languages import decode
from vectimus.analyser.languages import values as V
from vectimus.analyser.languages.folding import element, number, to_text
from vectimus.analyser.languages.javascript.library.arguments import arg
from vectimus.analyser.languages.values import CONST, OBJ, SEQ, Val


def _m_then(ev, owner, args):
    value = owner
    for a in args[:1]:
        value = ev.callback(a, [owner])
    for a in args[1:2]:
        ev.callback(a, [V.unknown("an error")])
    return value


def _m_catch(ev, owner, args):
    for a in args:
        ev.callback(a, [V.unknown("an error")])
    return owner


def _m_foreach(ev, owner, args):
    if args:
        ev.callback(args[0], [element(owner), V.unknown("an index")])
    return V.NONE


def _m_map(ev, owner, args):
    if not args:
        return owner
    if owner.kind == SEQ and len(owner.value) <= 256:
        return V.Val(SEQ, [ev.callback(args[0], [item, V.const(i)]) for i, item in enumerate(owner.value)])
    result = ev.callback(args[0], [element(owner), V.unknown("an index")])
    return V.unknown("items", V.taint_of(owner, result), item=result)


def _m_filter(ev, owner, args):
    if args:
        ev.callback(args[0], [element(owner)])
        from vectimus.analyser.languages.javascript import narrowing

        kept = narrowing.filtered(ev, element(owner), args[0]) if owner.kind != SEQ else None
        if kept is not None:  # readdirSync(d).filter(f => f.endsWith(".json")): the entries it keeps
            return V.unknown("items", V.taint_of(owner), item=kept)
    if owner.kind == SEQ:
        return V.unknown("items", V.taint_of(owner), item=V.alts(list(owner.value)) if owner.value else None)
    return owner


def _m_join(ev, owner, args):
    sep = arg(args, 0) or V.const(",")
    if owner.kind == SEQ and len(owner.value) <= 4096:
        parts: list[Val] = []
        for i, item in enumerate(owner.value):
            if i:
                parts.append(sep)
            parts.append(to_text(item))
        return V.concat(parts)
    return V.unknown("joined text", V.taint_of(owner, sep))


def _m_list(fn):
    def handler(ev, owner, args):
        if owner.kind == SEQ:
            return fn(owner, args)
        return V.unknown("items", V.taint_of(owner, *args))
    return handler


def _push(owner, args):
    if isinstance(owner.value, list):
        owner.value.extend(args)
    return V.const(len(owner.value))


def _unshift(owner, args):
    if isinstance(owner.value, list):
        owner.value[:0] = args
    return V.const(len(owner.value))


def _pop(index: int):
    def fn(owner, args):
        if isinstance(owner.value, list) and owner.value:
            return owner.value.pop(index)
        return V.unknown("an item")
    return fn


def _reverse(owner, args):
    if isinstance(owner.value, list):
        owner.value.reverse()
    return owner


def _concat_list(owner, args):
    items = list(owner.value)
    for a in args:
        items.extend(a.value if a.kind == SEQ else [a])
    return V.Val(SEQ, items)


def _slice_list(owner, args):
    bounds = [a.value if number(a) and isinstance(a.value, int) else None for a in args[:2]] or [0]
    if any(b is None for b in bounds):
        return V.unknown("items", V.taint_of(owner), item=V.alts(list(owner.value)) if owner.value else None)
    return V.Val(SEQ, list(owner.value[slice(*bounds)]))


def _m_str(fn):
    """A string method that folds when its arguments are known."""
    def handler(ev, owner, args):
        if owner.kind == CONST and isinstance(owner.value, str) and all(a.kind == CONST for a in args):
            try:
                result = fn(owner.value, *[a.value for a in args])
            except Exception:  # the method would throw: the value is unknown
                return V.unknown("text", owner.taint)
            if isinstance(result, list):
                return V.Val(SEQ, [V.const(r, owner.taint) for r in result])
            if isinstance(result, str) and len(result) > decode.LIMIT:
                return V.unknown("a long string", owner.taint)
            return V.const(result, owner.taint)
        if owner.kind == OBJ and owner.value[0] == "partial" and fn in (_trim,):
            return owner
        return V.unknown("text", V.taint_of(owner, *args))
    return handler


def _trim(s: str) -> str:
    return s.strip()


def _split(s: str, sep=None, limit=None) -> list[str]:
    if sep is None:
        return [s]
    parts = list(s) if sep == "" else s.split(sep)
    return parts[:int(limit)] if isinstance(limit, (int, float)) else parts


def _replace(all_: bool):
    def fn(s: str, old, new):
        if not isinstance(old, str) or not isinstance(new, str):
            raise TypeError("a pattern")
        if len(s) * (len(new) + 1) > decode.LIMIT:
            raise ValueError("too long")
        return s.replace(old, new) if all_ else s.replace(old, new, 1)
    return fn


def _repeat(s: str, n) -> str:
    if not isinstance(n, int) or len(s) * n > decode.LIMIT:
        raise ValueError("too long")
    return s * n


def _slice_str(s: str, start=0, end=None) -> str:
    return s[int(start):None if end is None else int(end)]  # a float or non-number raises: unknown


def _substr(s: str, start=0, length=None) -> str:
    start = int(start)
    return s[start:None if length is None else start + int(length)]


def _char_at(s: str, i=0) -> str:
    return s[int(i)] if 0 <= int(i) < len(s) else ""


METHODS: dict = {
    ("str", "split"): _m_str(_split), ("str", "replace"): _m_str(_replace(False)),
    ("str", "replaceAll"): _m_str(_replace(True)), ("str", "toLowerCase"): _m_str(str.lower),
    ("str", "toUpperCase"): _m_str(str.upper), ("str", "trim"): _m_str(_trim),
    ("str", "trimStart"): _m_str(str.lstrip), ("str", "trimEnd"): _m_str(str.rstrip),
    ("str", "repeat"): _m_str(_repeat), ("str", "slice"): _m_str(_slice_str), ("str", "substring"): _m_str(_slice_str),
    ("str", "substr"): _m_str(_substr), ("str", "charAt"): _m_str(_char_at),
    ("str", "concat"): _m_str(lambda s, *a: s + "".join(str(x) for x in a)),
    ("partial", "trim"): _m_str(_trim),
    ("list", "join"): _m_join, ("list", "push"): _m_list(_push), ("list", "unshift"): _m_list(_unshift),
    ("list", "pop"): _m_list(_pop(-1)), ("list", "shift"): _m_list(_pop(0)), ("list", "reverse"): _m_list(_reverse),
    ("list", "concat"): _m_list(_concat_list), ("list", "slice"): _m_list(_slice_list),
}
GENERIC_METHODS = {"then": _m_then, "catch": _m_catch, "finally": _m_catch, "forEach": _m_foreach,
                   "map": _m_map, "filter": _m_filter}

"""Lists and dicts: their constructors and the methods that change them.
"""

from __future__ import annotations

from vectimus.analyser.languages import values as V
from vectimus.analyser.languages.folding import blur, element, number, set_item
from vectimus.analyser.languages.values import CONST, DICT, SEQ, UNKNOWN, Val


def dict_lookup(owner: Val, key: Val) -> Val:
    """``owner[key]`` for a dict value: the last item stored under a known equal key, else unknown."""
    for k, v in reversed(owner.value):
        if k.kind == CONST and key.kind == CONST and k.value == key.value:
            return v
    return V.unknown("a value", V.taint_of(owner))


def _seq_ctor(ev, args, kwargs):
    if not args:
        return V.Val(SEQ, [])
    v = args[0]
    if v.kind == SEQ:
        return V.Val(SEQ, list(v.value))
    if v.kind == CONST and isinstance(v.value, str) and len(v.value) <= 4096:
        return V.Val(SEQ, [V.const(c, v.taint) for c in v.value])
    if v.kind == CONST and isinstance(v.value, bytes) and len(v.value) <= 4096:
        return V.Val(SEQ, [V.const(c, v.taint) for c in v.value])
    if v.kind == DICT:
        return V.Val(SEQ, [k for k, _ in v.value])
    return V.unknown("items", V.taint_of(v), item=element(v))


def _reversed(ev, args, kwargs):
    if args and args[0].kind == SEQ:
        return V.Val(SEQ, list(reversed(args[0].value)))
    if args and args[0].kind == CONST and isinstance(args[0].value, (str, bytes)):
        return V.Val(SEQ, [V.const(c, args[0].taint) for c in reversed(args[0].value)])
    return V.unknown("items", V.taint_of(*args), item=element(args[0]) if args else None)


def _map(ev, args, kwargs):
    if len(args) >= 2 and args[1].kind == SEQ and len(args[1].value) <= 256:
        return V.Val(SEQ, [ev.call(args[0], [item], {}) for item in args[1].value])
    if len(args) >= 2:
        return V.unknown("items", V.taint_of(*args), item=ev.call(args[0], [element(args[1])], {}))
    return V.unknown("items")


def _dict_ctor(ev, args, kwargs):
    if args and args[0].kind == DICT:
        return V.Val(DICT, [list(p) for p in args[0].value] + [[V.const(k), v] for k, v in kwargs.items()])
    if not args:
        return V.Val(DICT, [[V.const(k), v] for k, v in kwargs.items()])
    return V.unknown("a dict", V.taint_of(*args, *kwargs.values()))


def _m_list_append(ev, owner, args, kwargs):
    if isinstance(owner.value, list) and args:
        owner.value.append(args[0])
    return V.NONE


def _m_list_extend(ev, owner, args, kwargs):
    if isinstance(owner.value, list) and args:
        owner.value.extend(ev.iterate_all(args[0]))
    return V.NONE


def _m_list_insert(ev, owner, args, kwargs):
    if isinstance(owner.value, list) and len(args) >= 2:
        if number(args[0]) and isinstance(args[0].value, int):
            owner.value.insert(args[0].value, args[1])
        else:
            blur(owner, args[1])
    return V.NONE


def _m_list_pop(ev, owner, args, kwargs):
    if not isinstance(owner.value, list) or not owner.value:
        return V.unknown("an item")
    index = args[0] if args else V.const(-1)
    if number(index) and isinstance(index.value, int) and -len(owner.value) <= index.value < len(owner.value):
        return owner.value.pop(index.value)
    item = V.alts(list(owner.value))
    blur(owner)
    return item


def _m_list_remove(ev, owner, args, kwargs):
    if isinstance(owner.value, list) and args:
        for i, item in enumerate(owner.value):
            if item.kind == CONST and args[0].kind == CONST and item.value == args[0].value:
                del owner.value[i]
                return V.NONE
        blur(owner)
    return V.NONE


def _m_list_clear(ev, owner, args, kwargs):
    if isinstance(owner.value, list):
        owner.value.clear()
    return V.NONE


def _m_list_reorder(ev, owner, args, kwargs):
    if isinstance(owner.value, list):
        blur(owner)
    return V.NONE


def _m_list_reverse(ev, owner, args, kwargs):
    if isinstance(owner.value, list):
        owner.value.reverse()
    return V.NONE


def _m_copy(ev, owner, args, kwargs):
    if owner.kind == SEQ:
        return V.Val(SEQ, list(owner.value), owner.taint)
    if owner.kind == DICT:
        return V.Val(DICT, [list(p) for p in owner.value], owner.taint)
    return owner


def _m_dict_get(ev, owner, args, kwargs):
    found = dict_lookup(owner, args[0]) if args else V.unknown("a value")
    if found.kind == UNKNOWN and len(args) > 1:
        return V.alts([found, args[1]])
    return found


def _m_dict_items(which: str):
    def handler(ev, owner, args, kwargs):
        pairs = owner.value
        if which == "keys":
            return V.Val(SEQ, [k for k, _ in pairs])
        if which == "values":
            return V.Val(SEQ, [v for _, v in pairs])
        return V.Val(SEQ, [V.seq([k, v]) for k, v in pairs])
    return handler


def _m_dict_update(ev, owner, args, kwargs):
    other = args[0] if args else None
    if other is not None and other.kind == DICT:
        for k, v in other.value:
            set_item(owner, k, v)
    elif other is not None:
        owner.value.append([V.unknown("a key"), V.unknown("a value", V.taint_of(other))])
    for k, v in kwargs.items():
        set_item(owner, V.const(k), v)
    return V.NONE


def _m_dict_setdefault(ev, owner, args, kwargs):
    if args:
        found = dict_lookup(owner, args[0])
        if found.kind == UNKNOWN:
            set_item(owner, args[0], args[1] if len(args) > 1 else V.NONE)
            return args[1] if len(args) > 1 else V.NONE
        return found
    return V.NONE


# -- tables ----------------------------------------------------------------------------------------

CALLS: dict = {
    "list": _seq_ctor, "tuple": _seq_ctor, "sorted": _seq_ctor, "reversed": _reversed, "map": _map,
    "dict": _dict_ctor,
}

METHODS: dict = {
    ("list", "append"): _m_list_append, ("list", "extend"): _m_list_extend, ("list", "insert"): _m_list_insert,
    ("list", "pop"): _m_list_pop, ("list", "remove"): _m_list_remove, ("list", "clear"): _m_list_clear,
    ("list", "sort"): _m_list_reorder, ("list", "reverse"): _m_list_reverse, ("list", "copy"): _m_copy,
    ("dict", "get"): _m_dict_get, ("dict", "items"): _m_dict_items("items"),
    ("dict", "keys"): _m_dict_items("keys"), ("dict", "values"): _m_dict_items("values"),
    ("dict", "update"): _m_dict_update, ("dict", "copy"): _m_copy, ("dict", "setdefault"): _m_dict_setdefault,
    ("dict", "pop"): _m_dict_get,
}

"""Reading a call's arguments: positions, option objects, truthiness."""

from __future__ import annotations

from vectimus.analyser.languages.values import DICT, OBJ, SEQ, Val


def opt(options: Val | None, key: str) -> Val | None:
    """A property of an options object literal."""
    if options is None or options.kind != DICT:
        return None
    for k, v in reversed(options.value):
        if k.is_str and k.value == key:
            return v
    return None


def arg(args: list[Val], i: int) -> Val | None:
    return args[i] if i < len(args) else None


def options_after(args: list[Val], i: int) -> Val | None:
    """The first object literal argument from index ``i`` on (options come after optional ones)."""
    for a in args[i:]:
        if a.kind == DICT:
            return a
    return None


def keys(options: Val | None) -> set[str]:
    return {k.value for k, _ in options.value if k.is_str} if options is not None and options.kind == DICT else set()


def socket_of(v: Val | None) -> Val | None:
    if v is None:
        return None
    if v.kind == OBJ and v.value[0] == "socket":
        return v
    if v.kind == SEQ:
        for item in v.value:
            found = socket_of(item)
            if found is not None:
                return found
    return None

"""Folding what code computes, for the language analysers: path joins, container updates,
iteration, string functions, environment variables.

Values are ``values.Val``; lists and dicts are updated in place (so aliases see a change), and a
change not followed makes their items unknown alternatives.
Standard library only: used on the hot path.
"""

from __future__ import annotations

import re

from vectimus.analyser.context import MAX_WORDS, TRUSTED_ENV, Analysis, Cmd, Word
from vectimus.analyser.languages.values import (
    ALTS, CONST, CRED, DICT, ENV, INERT_MARK, OBJ, SEQ, SHOWN, UNKNOWN, Val, alts, clip, concat, const, obj,
    options, seq, taint_of, text_of, unknown,
)

CREDENTIAL_NAME = r"(?i)key|token|secret|passw|pwd|credential|auth|session|cookie|private|cert"


text = text_of  # the text of a constant string or bytes value, else None


def path_val(v: Val) -> Val:
    """The string value of a path-like ``v``."""
    if v.kind == OBJ and v.value[0] == "path":
        return v.value[1]
    return v


def join(parts: list[Val]) -> Val:
    """``os.path.join`` / ``Path /``: an absolute part restarts the path."""
    out: Val | None = None
    for p in parts:
        if p.kind == OBJ and p.value[0] == "path":  # ``path_val`` inlined
            p = p.value[1]
        if out is None:
            out = p
            continue
        combos = []
        for a in (out.value[:8] if out.kind == ALTS else (out,)):
            ta = (a.value if type(a.value) is str else text(a)) if a.kind == CONST else None
            sep = "" if (ta is not None and (ta.endswith("/") or not ta)) else "/"
            for b in (p.value[:8] if p.kind == ALTS else (p,)):
                tb = (b.value if type(b.value) is str else text(b)) if b.kind == CONST else None
                if tb is not None and tb.startswith("/"):
                    combos.append(b)
                    continue
                if a.glob and ta is not None and ta.endswith("/*") and (b.glob or b.kind == UNKNOWN):
                    combos.append(a)  # a name from listing a directory, below it: still "everything below"
                    continue
                if a.kind == CONST and type(a.value) is str and b.kind == CONST and type(b.value) is str:
                    joined = _joined(a.value + sep + b.value, a.taint | b.taint)  # two known strings
                else:
                    joined = concat([a, Val(CONST, sep), b])
                joined.glob = a.glob or b.glob
                combos.append(joined)
        out = combos[0] if len(combos) == 1 else alts(combos)  # what alts makes of one option
    return out if out is not None else const("")


def _joined(text: str, taint: int) -> Val:
    """What ``concat`` makes of known strings that join into ``text``."""
    return const(text, taint) if clip(text) is not None else unknown("a long string", taint)


def path(v: Val) -> Val:
    return obj("path", path_val(v))


def fold_str(fn, v: Val) -> Val:
    """Apply a str -> str function to a known string, or keep the value unknown (with its taint)."""
    results = []
    for o in options(v):
        t = text(o)
        if t is None or not o.is_str:
            if o.kind == CONST and isinstance(o.value, bytes):
                try:
                    r = fn(o.value)
                except Exception:  # a folding function that does not apply to bytes
                    return unknown("a string", taint_of(v))
                results.append(const(r, o.taint))
                continue
            return unknown("a string", taint_of(v))
        try:
            results.append(const(fn(t), o.taint))
        except Exception:  # folding a value the way the code would must never stop the analysis
            return unknown("a string", taint_of(v))
    return alts(results)


def element(iterable: Val) -> Val:
    """What iterating over ``iterable`` gives."""
    if iterable.kind == SEQ:
        return alts(list(iterable.value)) if iterable.value else unknown("nothing")
    if iterable.kind == DICT:
        return alts([k for k, _ in iterable.value]) if iterable.value else unknown("nothing")
    if iterable.kind == CONST and isinstance(iterable.value, str) and len(iterable.value) <= MAX_WORDS:
        return alts([const(c, iterable.taint) for c in iterable.value]) if iterable.value else unknown("")
    if iterable.kind == UNKNOWN and iterable.item is not None:
        return iterable.item.tainted(iterable.taint)
    if iterable.kind == ALTS:
        return alts([element(o) for o in iterable.value])
    if iterable.kind == OBJ and iterable.value[0] == "environ":
        return unknown("an environment variable name", ENV)
    return unknown("an item", taint_of(iterable))


def unpack(value: Val, n: int) -> list[Val]:
    if value.kind == SEQ and len(value.value) == n:
        return list(value.value)
    if value.kind == UNKNOWN and value.item is not None and value.item.kind == SEQ and len(value.item.value) == n:
        return list(value.item.value)
    return [unknown("an unpacked item", taint_of(value))] * n


def set_item(container: Val, key: Val, value: Val) -> None:
    if container.kind == SEQ and isinstance(container.value, list):
        if _index(key, container) is not None:
            container.value[key.value] = value
        else:
            blur(container, value)
    elif container.kind == DICT:
        for pair in container.value:
            if pair[0].kind == CONST and key.kind == CONST and pair[0].value == key.value:
                pair[1] = value
                return
        container.value.append([key, value])


def remove_item(container: Val, index: Val) -> None:
    if container.kind == SEQ and isinstance(container.value, list):
        if _index(index, container) is not None:
            del container.value[index.value]
        elif index.kind == OBJ and index.value[0] == "slice":
            s = slice_of(index)
            if s is None:
                blur(container)
            else:
                del container.value[s]
        else:
            blur(container)
    elif container.kind == DICT:
        container.value[:] = [p for p in container.value
                              if not (p[0].kind == CONST and index.kind == CONST and p[0].value == index.value)]


def _index(key: Val, container: Val) -> int | None:
    """``key`` as a valid index into the list ``container``, or None."""
    ok = key.kind == CONST and isinstance(key.value, int) and not isinstance(key.value, bool)
    return key.value if ok and -len(container.value) <= key.value < len(container.value) else None


def blur(container: Val, extra: Val | None = None) -> None:
    """A list changed in a way not followed: each item is now one of what it held."""
    items = list(container.value) + ([extra] if extra is not None else [])
    if not items:
        return
    every = alts(items)
    container.value[:] = [alts([every, unknown("an item")]) for _ in container.value] or [every]


def slice_of(v: Val):
    parts = v.value[1]
    bounds = []
    for p in parts:
        if p.kind == CONST and (p.value is None or (isinstance(p.value, int) and not isinstance(p.value, bool))):
            bounds.append(p.value)
        else:
            return None
    if bounds[2] == 0:
        return None
    return slice(*bounds)


def number(v: Val) -> bool:
    return v.kind == CONST and isinstance(v.value, (int, float)) and not isinstance(v.value, bool)


def stringish(v: Val) -> bool:
    return (v.kind == CONST and isinstance(v.value, (str, bytes))) or (v.kind == OBJ and v.value[0] == "partial")


def entry() -> Val:
    """A name a directory listing gives (``os.listdir``, ``readdirSync``): any, a hidden one too,
    which the shell's ``*`` would skip."""
    return alts([Val(CONST, "*", glob=True), Val(CONST, ".*", glob=True)])


def globbed(v: Val) -> Val:
    out = []
    for o in options(v):
        o = Val(o.kind, o.value, o.taint, True, o.item)
        out.append(o)
    return out[0] if len(out) == 1 else alts(out)  # what alts makes of one option


def env_var(an: Analysis, name_val: Val, default: Val | None = None, cmd: Cmd | None = None) -> Val:
    """One environment variable's value: set by the command line (``X=… python3 …``) as it sets it;
    trusted ones as the hook sees them; others unknown (credential-named ones tainted), but not
    shell syntax the agent controls, since the agent's environment is the user's."""
    name = text(name_val)
    if name is None:  # any variable at all, as ``echo "${!v}"`` shows one
        return Val(UNKNOWN, "an environment variable", CRED | SHOWN)
    if cmd is not None and (cmd.env or cmd.scope.vars):
        from vectimus.analyser.facts import env

        word = env.value(cmd, name)
        if word is not None:
            return unknown(f"${name}") if word.dynamic else const(word.text)
    if name == "HOME":
        return const(an.env.get("HOME") or an.places.home)
    if name in TRUSTED_ENV and an.env.get(name):
        return const(an.env[name])
    if name == "PWD":
        return const(".")
    taint = CRED if re.search(CREDENTIAL_NAME, name) else 0
    from vectimus.analyser.facts.secrets import secret_name
    from vectimus.analyser.languages import patching

    taint |= SHOWN if secret_name(name) else 0
    found = Val(UNKNOWN, f"${name}" if patching.sets_environment(an) else f"{INERT_MARK}${name}", taint)
    return alts([found, default]) if default is not None else found




def subscript_index(value: Val, index: int) -> Val:
    """``value[index]`` for a list or tuple (destructuring)."""
    if value.kind == SEQ and -len(value.value) <= index < len(value.value):
        return value.value[index]
    if value.kind == UNKNOWN and value.item is not None:
        return value.item.tainted(value.taint)
    return unknown("an item", taint_of(value))


def subscript_value(owner: Val, key: Val) -> Val:
    """``owner[key]`` for known lists, strings and dicts; unknown (keeping the taint) otherwise."""
    if owner.kind == ALTS:
        return alts([subscript_value(o, key) for o in owner.value])
    if key.kind == CONST and isinstance(key.value, int) and not isinstance(key.value, bool):
        if owner.kind == SEQ:
            return subscript_index(owner, key.value)
        if owner.kind == CONST and isinstance(owner.value, str) and -len(owner.value) <= key.value < len(owner.value):
            return const(owner.value[key.value], owner.taint)
    if owner.kind == DICT and key.kind == CONST:
        for k, v in reversed(owner.value):
            if k.kind == CONST and k.value == key.value:
                return v
    if owner.kind == SEQ and owner.value:
        return alts(list(owner.value))
    return unknown("an item", taint_of(owner))


def to_text(v: Val) -> Val:
    """``String(v)`` / a template substitution: the text of a known value, else ``v`` itself."""
    if v.kind == OBJ and v.value[0] == "path":
        return path_val(v)
    if v.kind == CONST and not isinstance(v.value, (str, bytes, bytearray)):
        value = v.value
        text = "null" if value is None else ("true" if value else "false") if isinstance(value, bool) else str(value)
        return const(text, v.taint)
    if v.kind == CONST and isinstance(v.value, (bytes, bytearray)):
        return const(bytes(v.value).decode("utf-8", "replace"), v.taint)
    if v.kind == ALTS:
        return alts([to_text(o) for o in v.value])
    return v


NOT_PLAIN = object()


def plain(v: Val, depth: int = 0):
    """``v`` as a plain value (for folding JSON), or NOT_PLAIN when part of it is not known."""
    if depth > 8:
        return NOT_PLAIN
    if v.kind == CONST:
        return v.value if not isinstance(v.value, (bytes, bytearray)) else NOT_PLAIN
    if v.kind == SEQ:
        items = [plain(x, depth + 1) for x in v.value]
        return NOT_PLAIN if any(i is NOT_PLAIN for i in items) else items
    if v.kind == DICT:
        out = {}
        for k, x in v.value:
            pk, px = plain(k, depth + 1), plain(x, depth + 1)
            if px is NOT_PLAIN or not isinstance(pk, (str, int, float, bool)):
                return NOT_PLAIN
            out[pk] = px
        return out
    return NOT_PLAIN


def json_value(v: Val) -> Val:
    """``json.loads(v)`` / ``JSON.parse(v)``: the data of known JSON text (a configuration file the
    hook can read), else unknown with its taint."""
    import json

    text = text_of(v) if v.kind == CONST else None
    if text is not None:
        try:
            found = _from_plain(json.loads(text), v.taint, [0])
        except (ValueError, RecursionError):
            found = None
        if found is not None:
            return found
    return unknown("data", taint_of(v))


def _from_plain(value, taint: int, count: list[int], depth: int = 0) -> Val | None:
    """A plain value (parsed JSON) as a Val; None past 4096 values or 16 levels."""
    count[0] += 1
    if count[0] > 4096 or depth > 16:
        return None
    if isinstance(value, list):
        items = [_from_plain(x, taint, count, depth + 1) for x in value]
        return None if any(i is None for i in items) else Val(SEQ, items, taint)
    if isinstance(value, dict):
        pairs = []
        for k, x in value.items():
            item = _from_plain(x, taint, count, depth + 1)
            if item is None:
                return None
            pairs.append([const(k, taint), item])
        return Val(DICT, pairs, taint)
    return const(value, taint)


def json_text(v: Val, **options) -> Val:
    """``json.dumps(v)`` / ``JSON.stringify(v)``: folded when known, else unknown with its taint."""
    import json

    value = plain(v)
    if value is not NOT_PLAIN:
        try:
            return const(json.dumps(value, **options), taint_of(v))
        except (TypeError, ValueError):
            pass
    taint = taint_of(v)
    return Val(UNKNOWN, "JSON", taint) if taint & SHOWN else unknown("JSON", taint)  # (the text of what it holds)


def command_argv(cmd: Cmd, code: Word, head: tuple[str, ...], inline: str, scripts: tuple[str, ...],
                 name: str) -> Val:
    """The program's argv (``sys.argv``, ``process.argv``) as the command line gives it: ``head``,
    then ``inline`` and the words after the code given inline (``-c``, ``-e``), or the script (the
    first word ending in one of ``scripts``) and the words after it; unknown when neither is seen."""
    words = list(cmd.words[1:])

    def values(ws) -> list[Val]:
        return [unknown(w.text) if w.dynamic else const(w.text) for w in ws]

    for i, w in enumerate(words):
        if w is code or (w.text == code.text and not w.dynamic):
            return seq([*map(const, head), const(inline), *values(words[i + 1:])] if inline else
                       [*map(const, head), *values(words[i + 1:])])
    for i, w in enumerate(words):
        if w.text.endswith(scripts) and not w.text.startswith("-"):
            return seq([*map(const, head), *values(words[i:])])
    return unknown(name, item=unknown("an argument"))

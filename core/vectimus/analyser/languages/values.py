"""What a code analyser knows about one value: a constant, a known library object, a few
alternatives, or nothing (unknown), and the secrets it carries.

Shared by the language analysers that evaluate code (``python``, ``javascript``): they fold what
they can into ``Val`` objects and turn the values that reach an effect into shell ``Word`` s.
Standard library only: used on the hot path.
"""

from __future__ import annotations

import re

from vectimus.analyser.context import MAX_COMMAND_BYTES, MAX_WORDS, Word

# Taint: what the data a value holds was read from.
SECRET = 1   # a secret file's contents (its read is recorded already)
ENV = 2      # the whole environment (recorded as a read of /proc/self/environ when it is output)
CRED = 4     # one credential-named environment variable (API_TOKEN, AWS_SECRET_ACCESS_KEY, …)
# The text of one variable the secrets facts call a credential (GITHUB_TOKEN, not GIT_AUTHOR_NAME):
# printed, it shows the credential to the agent. Kept where the text goes (concatenations, formats,
# containers, alternatives); dropped by what only derives from it (``unknown`` and ``numeric``
# values: a length, a comparison, a hash, a slice).
SHOWN = 8

CONST, SEQ, DICT, REF, OBJ, ALTS, UNKNOWN = range(7)

# What an unknown part of a string is rendered as inside text handed to the shell analyser: a
# private-use character no real command contains, so actions built from it are found and marked.
UNKNOWN_MARK = "\ue0ff"
# An unknown part that carries no shell syntax the agent controls: a number, a value quoted for the
# shell (``shlex.quote``), or a variable of the environment the agent was started with. Only
# UNKNOWN_MARK parts can make a command run something else. An UNKNOWN value whose description
# starts with INERT_MARK is such a value.
INERT_MARK = "\ue0fe"
NUMBER = INERT_MARK + "a number"  # an unknown value known to be a number (``int(x)``, ``len(x)``)
MAX_TEXT = MAX_COMMAND_BYTES  # strings folded beyond this length are unknown


class Val:
    """One value: ``kind`` says which of the fields hold it.

    CONST: ``value`` is a str, bytes, int, float, bool or None. SEQ: ``value`` is a tuple of Vals
    (a list, tuple or set). DICT: a tuple of (key, value) Val pairs. REF: a dotted name of a module,
    function or class (``os.system``). OBJ: ``value`` is ``(type, data)`` for library objects the
    analyser follows (a path, an open file, a socket, a user function). ALTS: one of a few Vals.
    UNKNOWN: ``value`` is a short description; ``item`` is what iterating it gives, when known.
    """

    __slots__ = ("kind", "value", "taint", "glob", "item")

    def __init__(self, kind: int, value=None, taint: int = 0, glob: bool = False, item: Val | None = None):
        self.kind = kind
        self.value = value
        self.taint = taint
        self.glob = glob
        self.item = item

    def __repr__(self) -> str:  # for tests and debugging
        kind = ("CONST", "SEQ", "DICT", "REF", "OBJ", "ALTS", "UNKNOWN")[self.kind]
        return f"Val({kind}, {self.value!r}, taint={self.taint})"

    def tainted(self, taint: int) -> Val:
        """This value with ``taint`` added."""
        if not taint or self.taint | taint == self.taint:
            return self
        return Val(self.kind, self.value, self.taint | taint, self.glob, self.item)

    @property
    def is_str(self) -> bool:
        return self.kind == CONST and isinstance(self.value, str)

    @property
    def known(self) -> bool:
        return self.kind == CONST


def type_name(v: Val) -> str | None:
    """The name library method tables know a value's type by: str, bytes, list, dict, an object's
    type, or "unknown"."""
    if v.kind == CONST:
        if isinstance(v.value, str):
            return "str"
        if isinstance(v.value, (bytes, bytearray)):
            return "bytes"
        return None
    if v.kind == SEQ:
        return "list"
    if v.kind == DICT:
        return "dict"
    if v.kind == OBJ:
        return v.value[0]
    if v.kind == UNKNOWN:
        return "unknown"
    return None


def const(value, taint: int = 0) -> Val:
    return Val(CONST, value, taint)


def unknown(what: str = "?", taint: int = 0, item: Val | None = None, glob: bool = False) -> Val:
    return Val(UNKNOWN, what, taint & ~SHOWN, glob, item)


def numeric(taint: int = 0) -> Val:
    """A number not known here (``int(x)``, ``len(x)``): in shell text, it cannot carry syntax."""
    return Val(UNKNOWN, NUMBER, taint & ~SHOWN)


def inert(what: str, taint: int = 0) -> Val:
    """An unknown value that carries no shell syntax the agent controls (the user's environment)."""
    return Val(UNKNOWN, INERT_MARK + what, taint & ~SHOWN)


def is_inert(v: Val) -> bool:
    return v.kind == UNKNOWN and type(v.value) is str and v.value[:1] == INERT_MARK


FROM_PARAMETER = INERT_MARK + "from a parameter"  # an attribute of a placeholder (see ``placeholder``)


def is_numeric(v: Val) -> bool:
    return v.kind == UNKNOWN and v.value == NUMBER


def partial(text: str, taint: int = 0) -> Val:
    """A string with unknown parts (``f"rm -rf {x}"``): its text with each one as UNKNOWN_MARK."""
    return Val(OBJ, ("partial", text), taint)


PARAMETER = INERT_MARK + "parameter "


def placeholder(name: str) -> Val:
    """A parameter of a function evaluated without a caller in sight: what it does with it is up to
    a caller elsewhere, so effects on nothing but a placeholder are not recorded (and, spliced into
    shell text, it is an unknown argument: the caller's values are judged where it is seen)."""
    return Val(UNKNOWN, PARAMETER + name)


def is_placeholder(v: Val) -> bool:
    if v.kind != UNKNOWN and v.kind != ALTS:  # the common case, without the generator
        return False
    return all(o.kind == UNKNOWN and isinstance(o.value, str) and o.value.startswith(PARAMETER)
               for o in options(v))


def ref(name: str) -> Val:
    return Val(REF, name)


def obj(type_: str, data=None, taint: int = 0) -> Val:
    return Val(OBJ, (type_, data), taint)


def seq(items, taint: int = 0) -> Val:
    return Val(SEQ, tuple(items), taint)


NONE = const(None)


def taint_of(*vals) -> int:
    """The union of the taints of ``vals`` and of what known containers hold (a list may hold
    itself: each value is visited once, and at most MAX_VISITS of them)."""
    out = 0
    stack = None
    for v in vals:  # the common case: plain values, no containers to walk
        if v is None:
            continue
        out |= v.taint
        if v.kind in _CONTAINERS or (v.kind == UNKNOWN and v.item is not None):
            stack = [v] if stack is None else [*stack, v]
    if stack is None:
        return out
    seen: set[int] = set()
    while stack and len(seen) < MAX_VISITS:
        v = stack.pop()
        if v is None or id(v) in seen:
            continue
        seen.add(id(v))
        out |= v.taint
        kind = v.kind
        if kind == SEQ or kind == ALTS:
            stack.extend(v.value)
        elif kind == DICT:
            for pair in v.value:
                stack.extend(pair)
        elif kind == UNKNOWN and v.item is not None:
            stack.append(v.item)
    return out


MAX_VISITS = 4096
_CONTAINERS = (SEQ, DICT, ALTS)


def alts(options, taint: int = 0) -> Val:
    """One of ``options`` (flattened, duplicates dropped); unknown beyond MAX_WORDS options."""
    flat: list[Val] = []
    for v in options:
        for o in (v.value if v.kind == ALTS else (v,)):
            for f in flat:  # a loop, not any() over a generator: this runs for every merge and join
                if o is f or (o.kind == CONST and f.kind == CONST and o.value == f.value
                              and type(o.value) is type(f.value) and o.taint == f.taint):
                    break
            else:
                flat.append(o)
    if len(flat) == 1:
        return flat[0].tainted(taint)
    if len(flat) > MAX_WORDS:
        if all(f.kind == CONST and type(f.value) is str and _PLAIN_WORD.fullmatch(f.value) for f in flat):
            return inert("one of many words", taint | taint_of(*flat))  # a long list of names, say
        return unknown("one of many values", taint | taint_of(*flat))
    return Val(ALTS, tuple(flat), taint)


_PLAIN_WORD = re.compile(r"[\w.,:=+@%/-]*")  # text with nothing the shell reads as syntax


def options(v: Val) -> tuple[Val, ...]:
    """The alternatives ``v`` may be (itself when it is one value)."""
    return v.value if v.kind == ALTS else (v,)


def text_of(v: Val) -> str | None:
    """The text of a constant string or bytes value (bytes decoded leniently), else None."""
    if v.kind != CONST:
        return None
    value = v.value
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return str(value)
    return None


def render(v: Val, path: bool = False) -> tuple[str, bool]:
    """The text ``v`` becomes where a string is expected, and whether part of it is unknown.

    Unknown parts are UNKNOWN_MARK; a path object renders as its path.
    """
    if v.kind == OBJ and v.value[0] == "path":
        return render(v.value[1], path)
    if v.kind == OBJ and v.value[0] == "partial":  # a string with unknown parts, marked
        return v.value[1], True
    text = text_of(v)
    if text is not None:
        return text, False
    return (INERT_MARK if v.kind == UNKNOWN and type(v.value) is str and v.value[:1] == INERT_MARK
            else UNKNOWN_MARK), True


def words(v: Val, *, path: bool = False) -> list[Word]:
    """The shell words ``v`` may be (one per alternative); unknown parts make a word dynamic."""
    if v.kind == CONST and type(v.value) is str:  # one known string (the common case), without the loop
        return [Word(v.value, False, v.glob or False, bool(v.taint))]
    out = []
    for o in (v.value[:MAX_WORDS] if v.kind == ALTS else (v,)):
        if o.kind == CONST and type(o.value) is str:  # a known string (the common case)
            out.append(Word(o.value, False, o.glob or False, bool(o.taint)))
            continue
        if o.kind == OBJ and o.value[0] == "partial":  # what render and taint_of say of it, without the calls
            text, dyn, taint = o.value[1], True, o.taint
        else:
            text, dyn = render(o, path)
            taint = taint_of(o)
        glob = o.glob or (o.kind == OBJ and o.value[0] == "path" and o.value[1].glob)
        if dyn:
            shown = (text.replace(UNKNOWN_MARK, "…").replace(INERT_MARK, "…")
                     if text != UNKNOWN_MARK and text != INERT_MARK else _describe(o))
            out.append(Word(shown, True, glob, bool(taint)))
        else:
            out.append(Word(text, False, glob, bool(taint)))
    return out


def _describe(v: Val) -> str:
    if v.kind == UNKNOWN and isinstance(v.value, str):
        return v.value.lstrip(INERT_MARK)[:80]
    if v.kind == REF:
        return v.value
    return "…"


def clip(text: str) -> str | None:
    """``text`` when it is short enough to keep folding, else None."""
    return text if len(text) <= MAX_TEXT else None


def concat(parts, as_bytes: bool = False) -> Val:
    """The string the ``parts`` make end to end: constant when every part is known, else partial."""
    texts: list[str] = []
    unknown_part = False
    taint = 0
    for p in parts:
        kind = p.kind
        if kind == CONST and type(p.value) is str:  # a known string (the common case)
            texts.append(p.value)
            taint |= p.taint
            continue
        if (kind == OBJ and p.value[0] == "partial") or (kind == UNKNOWN and p.item is None):
            # a string with unknown parts, or a value nothing is known of (the next most common):
            # what render and taint_of say of it, without the calls
            texts.append(p.value[1] if kind == OBJ else INERT_MARK if p.value[:1] == INERT_MARK else UNKNOWN_MARK)
            unknown_part = True
            taint |= p.taint
            continue
        if kind == ALTS:  # one of a few values (a loop over a constant list): one string for each
            return _each(parts, as_bytes)
        text, dyn = render(p)
        texts.append(text)
        unknown_part |= dyn
        taint |= taint_of(p)
    joined = "".join(texts)
    if len(joined) > MAX_TEXT:  # what ``clip`` and the constructors below make, without the calls
        return Val(UNKNOWN, "a long string", taint)
    if unknown_part:
        return Val(OBJ, ("partial", joined), taint)
    if as_bytes:
        return Val(CONST, joined.encode("utf-8", "surrogateescape"), taint)
    return Val(CONST, joined, taint)


def _each(parts: list[Val], as_bytes: bool) -> Val:
    """``concat`` of ``parts`` some of which are alternatives: the alternative strings, or one
    string with an unknown part where they would be more than MAX_WORDS."""
    combos: list[list[Val]] = [[]]
    for p in parts:
        choices = p.value if p.kind == ALTS else (p,)
        if len(combos) * len(choices) > MAX_WORDS:
            return concat([Val(UNKNOWN, "one of many values", taint_of(p)) if p.kind == ALTS else p
                           for p in parts], as_bytes)
        combos = [c + [o] for c in combos for o in choices]
    return alts([concat(c, as_bytes) for c in combos])


def truthy(v: Val | None) -> bool | None:
    """Whether an optional argument is set: False when absent, its truth when constant, else None."""
    if v is None:
        return False
    if v.kind == CONST:
        return bool(v.value)
    return None

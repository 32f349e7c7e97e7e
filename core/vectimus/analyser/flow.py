"""Control flow the shell walker follows: which branches may run, and function calls.

Variables a conditional sets differently on its ways:

``if …; then V=~; else V=/tmp/x; fi; rm -rf "$V"`` deletes the home one way and a scratch
directory the other: taking the last branch's value (or any one) for the only one would let a
refused command through. Each branch of an ``if``/``case``, the right side of ``&&``/``||`` and a
loop body (which may not run) is walked from the state before it; a variable the ways leave with
different values holds all of them (``Scope.choices``, at most ``MAX_CHOICES``; past that, and
wherever a choice is not followed, it is unknown). A command, assignment or redirect that uses
such a variable is analysed once per combination of its values (at most ``MAX_RUNS``; past that,
once with the values unknown), so ``rm -rf "$V"`` is judged as deleting the home and the scratch
directory. The working directory is the last way's, as walking every branch in order leaves it,
unless a command run on several values of a choice leaves it differently: then it is unknown.
A ``case`` whose subject is known runs the first item it matches and no other. In a chain of
lookups (``command -v gsed || command -v sed``) the first program found prints its path and the
rest do not run, so the chain prints one program's path, as one lookup does.

A function's body is walked where it is called (``run() { "$@"; }; run rm -rf ~``), with the
call's arguments as its positional parameters, in the caller's shell; one nothing in the text
calls is walked once at its end, its arguments unknown.
Standard library only: used on the hot path.
"""

from __future__ import annotations

import fnmatch
import itertools
import re

from vectimus.analyser.context import Input, Scope, Word

MAX_CHOICES = 4  # values one variable may hold after a conditional; past it, it is unknown
MAX_RUNS = 8     # analyses of one command, one per combination of its variables' values
MAX_CALLS = 4    # calls with arguments after which a function's body is not walked again
POSITIONAL = re.compile(r"\$(?:[1-9@*#]|\{[1-9@*#])")  # a body that reads its arguments
_LOOKUP = re.compile(r"(?:command\s+-v|type\s+-[Pp]|which)\s+[\w.+-]+\s*$")  # where one program is found
# The statements a choice is bound in: each is analysed once per value.
LEAVES = frozenset(("command", "redirected_statement", "variable_assignment", "declaration_command",
                    "pipeline", "test_command", "unset_command"))


def branch(walker, scope: Scope, bodies: list, stdin, skip: bool) -> None:
    """Walk each of ``bodies`` (lists of statements, one of which runs; with ``skip``, maybe none)
    from the state ``scope`` has now, leaving in ``scope`` every value each way sets."""
    start_vars, start_choices = scope.vars, scope.choices
    start_places, start_dynamic = scope.places, scope.cwd_dynamic
    ends = [(start_vars, start_choices)] if skip else []
    for body in bodies:
        scope.vars, scope.choices = dict(start_vars), dict(start_choices)
        scope.places, scope.cwd_dynamic = start_places, start_dynamic
        walker.sequence(body, scope, stdin)
        ends.append((scope.vars, scope.choices))
    if ends:
        _merge(scope, ends)


def _merge(scope: Scope, ends: list) -> None:
    """``scope``'s variables: each one's value where the ways agree, else its choices."""
    first_vars, first_choices = ends[0]
    if all(v is first_vars and c is first_choices for v, c in ends[1:]):
        scope.vars, scope.choices = first_vars, first_choices
        return
    if not first_choices and all(not c and v == first_vars for v, c in ends[1:]):  # the ways agree
        scope.vars, scope.choices = first_vars, {}
        return
    names = set().union(*(v.keys() for v, _ in ends), *(c.keys() for _, c in ends))
    merged_vars: dict[str, Word] = {}
    merged_choices: dict[str, tuple[Word | None, ...]] = {}
    for name in names:
        values: list[Word | None] = []
        for vars_, choices in ends:
            for value in choices[name] if name in choices else (vars_.get(name),):
                if value not in values:
                    values.append(value)
        if len(values) == 1:
            if values[0] is not None:
                merged_vars[name] = values[0]
            continue
        merged_vars[name] = Word("$" + name, dynamic=True, secret=any(v is not None and v.secret for v in values))
        if len(values) <= MAX_CHOICES:
            merged_choices[name] = tuple(values)
    scope.vars, scope.choices = merged_vars, merged_choices


def used(text: str, choices: dict) -> list[str]:
    """The variables with choices that ``text`` expands."""
    return [name for name in choices if "$" + name in text or "${" + name in text]


def each(scope: Scope, names: list[str], run) -> None:
    """``run(s)`` once per combination of the values of ``names`` (each ``s`` a copy of ``scope``
    holding one), then ``scope`` as those runs leave it; past MAX_RUNS, once in ``scope``."""
    combinations = list(itertools.islice(itertools.product(*(scope.choices[n] for n in names)), MAX_RUNS + 1))
    if len(combinations) > MAX_RUNS:
        run(scope)
        return
    ends = []
    places = set()
    for combination in combinations:
        bound = dict(zip(names, combination))
        copy = scope.child()
        for name, value in bound.items():
            del copy.choices[name]
            if value is None:
                copy.vars.pop(name, None)
            else:
                copy.vars[name] = value
        run(copy)
        for name, value in bound.items():  # a value the run left as it was bound is a choice still
            if copy.vars.get(name) is value and name not in copy.choices:
                copy.choices[name] = scope.choices[name]
                copy.vars[name] = scope.vars[name]
        ends.append((copy.vars, copy.choices))
        places.add((copy.places, copy.cwd_dynamic))
        scope.functions |= copy.functions
        scope.exported |= copy.exported
    _merge(scope, ends)
    if len(places) == 1:
        scope.places, scope.cwd_dynamic = places.pop()
    else:
        scope.cwd_dynamic = True


# -- the statements that branch ------------------------------------------------------------

def if_statement(walker, node, scope: Scope, stdin) -> None:
    """if / elif / else: the condition runs, then one branch (or none, without an else)."""
    bodies: list[list] = []
    body: list = []
    otherwise = False
    for i, child in enumerate(node.children):
        if node.field_name_for_child(i) == "condition":
            walker.statement(child, scope, stdin)
        elif child.type in ("elif_clause", "else_clause"):
            bodies.append(child.named_children)  # an elif's condition runs on its own way
            otherwise = otherwise or child.type == "else_clause"
        elif child.is_named:
            body.append(child)
    branch(walker, scope, [body, *bodies], stdin, skip=not otherwise)

def and_or(walker, node, scope: Scope, stdin) -> None:
    """``a && b``, ``a || b``: ``b`` may run or not; other lists run in turn."""
    named = node.named_children
    operator = next((c.type for c in node.children if not c.is_named), "")
    if len(named) != 2 or operator not in ("&&", "||"):
        walker.block(node, scope, stdin)
        return
    if operator == "&&":  # `a && W=x && trap 'rm -rf "$W"' EXIT`: the trap is set only once W is
        parts = _and_chain(node)
        walker.statement(parts[0], scope, stdin)
        _chain(walker, scope, parts[1:], stdin)
        return
    walker.statement(named[0], scope, stdin)
    found, ran = walker.last_value, walker.ran
    branch(walker, scope, [[named[1]]], stdin, skip=True)
    if operator == "||" and _lookups(walker, node):
        if found is not None and "/" in found:  # found on PATH: the lookups after it do not run
            walker.last_value = found
        walker.ran = ran  # one program's path is printed, or what the last lookup says


def _and_chain(node) -> list:
    """``a && b && c`` (parsed ``(a && b) && c``) as its parts in order."""
    named = node.named_children
    if node.type != "list" or len(named) != 2 or next((c.type for c in node.children if not c.is_named), "") != "&&":
        return [node]
    return [*_and_chain(named[0]), named[1]]


def _chain(walker, scope: Scope, parts: list, stdin) -> None:
    """Each of ``parts`` runs when the one before it did: the state may end before any of them,
    or after each (``b`` and ``c`` of ``a && b && c`` see what ``b`` set)."""
    ends = [(scope.vars, scope.choices)]
    for part in parts:
        scope.vars, scope.choices = dict(scope.vars), dict(scope.choices)
        walker.sequence([part], scope, stdin)
        ends.append((scope.vars, scope.choices))
    _merge(scope, ends)


def _lookups(walker, node) -> bool:
    """True for ``command -v a || which b || …``: lookups of plain names joined by ``||``."""
    if node.type == "command":
        return bool(_LOOKUP.match(walker.text(node)))
    named = node.named_children
    return node.type == "list" and len(named) == 2 and all(c.type == "||" for c in node.children if not c.is_named) \
        and all(_lookups(walker, c) for c in named)

def case(walker, node, scope: Scope, stdin) -> None:
    """case: the first item a known subject matches runs, and no other; with an unknown
    subject any item may (or none, without a ``*`` item)."""
    subject: Word | None = None
    bodies: list[list] = []
    catch_all = False
    for i, child in enumerate(node.named_children):
        if child.type != "case_item":
            if node.field_name_for_named_child(i) == "value":
                subject = walker.word(child, scope)
            continue
        patterns = [walker.word(c, scope) for j, c in enumerate(child.named_children)
                    if child.field_name_for_named_child(j) == "value"]  # only their substitutions run
        body = [c for j, c in enumerate(child.named_children) if child.field_name_for_named_child(j) != "value"]
        if any(c.type in (";&", ";;&") for c in child.children):
            subject = None  # it falls through to the next items: any of them may run
        if subject is not None and not subject.dynamic and not any(p.dynamic for p in patterns):
            if any(fnmatch.fnmatchcase(subject.text, p.text) for p in patterns):
                walker.sequence(body, scope, stdin)
                return
            continue
        bodies.append(body)
        catch_all = catch_all or any(p.text == "*" for p in patterns)
    branch(walker, scope, bodies, stdin, skip=not catch_all)


# -- function calls -------------------------------------------------------------------------

def called(walker, scope: Scope, words: list[Word], stdin) -> None:
    """A shell function called (``run() { "$@"; }; run rm -rf ~``): its body runs with the call's
    arguments as its positional parameters, in the caller's shell. Not inside itself; a body that
    does not read its arguments, once; past MAX_CALLS calls, once more with them unknown."""
    entry = scope.functions.get(words[0].text)
    if entry is None:
        return
    defined, body = entry
    key = (id(defined), body.start_byte)
    memo = walker.an.memo
    walked, calling = memo.setdefault("function bodies", {}), memo.setdefault("calling", set())
    count = walked.get(key, 0)
    if key in calling or count > MAX_CALLS or (count and not POSITIONAL.search(defined.text(body))):
        return
    walked[key] = count + 1
    calling.add(key)
    kept, scope.positional = scope.positional, tuple(words) if count < MAX_CALLS else None
    try:
        defined.statement(body, scope, stdin)
    finally:
        scope.positional = kept
        calling.discard(key)


def uncalled(walker) -> None:
    """The functions a text defined that nothing in it called: each body, with unknown arguments
    (a trap, a script that sources this one, or ``export -f`` may call it); the texts its ``trap``s
    run (``traps``)."""
    if walker.an.memo.get("traps"):
        from vectimus.analyser import traps

        traps.judge(walker)
    walked = walker.an.memo.get("function bodies", {})
    for body, scope in walker.defined:
        if (id(walker), body.start_byte) not in walked:
            inner = scope.child()
            inner.positional = None
            walker.statement(body, inner, Input())

"""What Go and Rust analysers share: a program's own helper functions and ``host:port`` peers.

Code that is compiled and then run is written in functions; a refused agent moves the call it was
refused into a helper (``func run(c string) { exec.Command("sh", "-c", c).Run() }``), and ordinary
code calls one helper with many commands (``run("git", "status")``, ``run("go", "build")``).
``Compiled`` remembers what each call of a function declared in the program passes (``sites``), and
records the effects inside that function once per distinct call: its parameters bound to that
call's values, and the function's own assignments worked out again from them. A helper nobody
calls is walked with unknown parameters. Standard library only: used on the hot path.
"""

from __future__ import annotations

import re
from typing import Any

from vectimus.analyser.context import Word
from vectimus.analyser.languages import record
from vectimus.analyser.languages.code import Code, dynamic

MAX_SITES = 16  # distinct calls of one function analysed; past it, its parameters are unknown
MAX_LOOP = 16   # values of a loop over a list literal taken one at a time; past it, the variable is unknown
VARIADIC = "..."  # a parameter name's prefix when it takes the rest of the arguments


class Values:
    """A list of values known in advance (a variadic parameter's arguments), as ``items`` reads one."""

    type = "values"
    named_children: tuple = ()

    def __init__(self, words: tuple[Word, ...]) -> None:
        self.words = words

    def __eq__(self, other) -> bool:
        return isinstance(other, Values) and other.words == self.words

    def __hash__(self) -> int:
        return hash(self.words)


class Compiled(Code):
    """A ``Code`` walk that analyses the program's own functions once per distinct call."""

    FUNCTIONS: tuple[str, ...] = ()   # node types that declare a function
    CALL = "call_expression"
    LISTS: tuple[str, ...] = ()       # node types of list literals
    ACTS: frozenset[str] = frozenset()  # calls ``effect`` handles beyond EFFECTS and ENV_CALLS
    LOOPS: tuple[str, ...] = ()       # node types of loops over a collection (``loop_parts``)

    def __init__(self, an, cmd, text: str) -> None:
        super().__init__(an, cmd, text)
        self.params: dict[str, list[str]] = {}    # function name -> its parameter names
        self.sites: dict[str, list[tuple]] = {}   # function name -> the distinct ((param, value), …) of its calls
        self.bodies: dict[str, list] = {}         # function name -> its assignment nodes, in order
        self.lists: dict[str, object] = {}        # variable -> the list literal it was given
        self.queued: dict[int, list[tuple]] = {}  # a node's network effects waiting -> the call they came from
        self.rebound: dict[tuple, dict] = {}      # (function, call) -> its variables' values

    def root(self):
        root = super().root()
        for node in self.declarations(root):
            name = self.declared(node) if node.type in self.FUNCTIONS else None
            if name is not None:
                self.params[name] = self.parameters(node)
        return root

    def declared(self, node) -> str | None:
        """The name calls use for the function ``node`` declares (``.name`` for a method)."""
        name = node.child_by_field_name("name")
        return self.node_text(name) if name is not None else None

    def declarations(self, root):
        """The function declarations of the program (top level, and one level of modules/impls)."""
        for node in root.named_children:
            yield node
            body = node.child_by_field_name("body")
            if body is not None and body.type == "declaration_list":
                yield from body.named_children

    def parameters(self, node) -> list[str]:
        """The parameter names of the function declared by ``node``, in order (``...rest`` variadic)."""
        return []

    def function_of(self, node) -> str | None:
        """The name of the program's function whose body holds ``node``."""
        at = node.parent
        while at is not None:
            name = self.declared(at) if at.type in self.FUNCTIONS else None
            if name is not None:
                return name
            at = at.parent  # (a closure is part of the function around it)
        return None

    # -- the first walk: constants, and what each call of a function passes ------------------------

    def assignment(self, node):
        """Every ``(name, value)`` pair ``node`` assigns is bound here; a call of one of the program's
        functions is remembered with the values it passes."""
        if node.type == self.CALL:
            found = self.call(node)
            params = self.params.get(found[0]) if found is not None else None
            if found is not None and params:
                site = self.site(params, found[1])
                sites = self.sites.setdefault(found[0], [])
                if site not in sites:
                    sites.append(site)
            return None
        pairs = self.pairs(node)
        if pairs:
            function = self.function_of(node)
            if function is not None and function in self.params:
                self.bodies.setdefault(function, []).append(node)
        for name, value_node in pairs:
            self.bind(name, value_node)
        return None

    def site(self, params: list[str], args: list) -> tuple:
        """``((param, value), …)`` for one call: a variadic parameter gets the rest of the values."""
        out: list[tuple[str, Word | Values]] = []
        for i, param in enumerate(params):
            if param.startswith(VARIADIC):
                rest = tuple(w for a in args[i:] for w in self.spread(a))
                out.append((param[len(VARIADIC):], Values(rest)))
                break
            out.append((param, self.value(args[i]) if i < len(args) else dynamic()))
        return tuple(out)

    def spread(self, node) -> list[Word]:
        """The values one argument passes (a list spread into a variadic parameter is unknown)."""
        return [self.value(node)]

    def bind(self, name: str, value_node) -> None:
        """``name`` is given the value of ``value_node`` (a list literal is remembered as such)."""
        value = self.value(value_node) if value_node is not None else dynamic()
        old = self.consts.get(name, value)
        self.consts[name] = value if not value.dynamic and old == value else None
        if value_node is not None and value_node.type in self.LISTS:
            self.lists[name] = value_node
        ref = self.reference(value_node) if value_node is not None else None
        if ref is not None:
            self.aliases.setdefault(name, ref)

    def pairs(self, node) -> list[tuple[str, object]]:
        """The ``(variable, value node)`` pairs an assignment ``node`` makes."""
        return []

    # -- the second walk: effects, once per call of the function they are in -------------------------

    def apply(self, name: str, args: list, node) -> None:
        if name not in self.EFFECTS and name not in self.ENV_CALLS and name not in self.ACTS:
            return  # a call that does nothing recorded here
        found = self.loop_over(node) if node is not None and self.LOOPS else None
        if found is None:
            self.apply_each(name, args, node)
            return
        variable, words = found  # `for dir in ["dist", "build"] { remove_dir_all(dir) }`: once per value
        kept = self.consts.get(variable)
        try:
            for word in words:
                self.consts[variable] = word
                self.apply_each(name, args, node)
        finally:
            self.consts[variable] = kept

    def loop_over(self, node) -> tuple[str, list[Word]] | None:
        """The variable and values of the nearest loop around ``node`` (in its function) that runs
        over a list literal, or a variable given one; None for any other loop, or none."""
        at = node.parent
        while at is not None and at.type not in self.FUNCTIONS:
            if at.type in self.LOOPS:
                found = self.loop_parts(at)
                if found is None:
                    return None
                variable, iterable = found
                if iterable.type not in self.LISTS and self.variable(iterable) not in self.lists:
                    return None
                words = self.items(iterable)
                return (variable, words) if 0 < len(words) <= MAX_LOOP else None
            at = at.parent
        return None

    def loop_parts(self, node) -> tuple[str, Any] | None:
        """The loop variable and the collection node of a loop ``node`` (the languages say how)."""
        return None

    def apply_each(self, name: str, args: list, node) -> None:
        """Record the effect of one call, once per call of the function it is in."""
        function = self.function_of(node) if node is not None else None
        sites = self.sites.get(function or "", [])
        if not sites or len(sites) > MAX_SITES:
            self.effect(name, args, node)
            return
        for site in sites:
            saved = self.rebind(function or "", site)
            start = len(self.later)
            try:
                self.effect(name, args, node)
            finally:
                self.restore(saved)
            for entry in self.later[start:]:
                self.queued.setdefault(id(entry[3]), []).append((function, site))

    def network(self, kind: str, name: str, args, node, secret: bool) -> None:
        waiting = self.queued.get(id(node))
        if not waiting:
            self.send(kind, name, args, node, secret)
            return
        function, site = waiting.pop(0)
        saved = self.rebind(function, site)
        try:
            self.send(kind, name, args, node, secret)
        finally:
            self.restore(saved)

    def effect(self, name: str, args: list, node) -> None:
        """Record what calling ``name`` does (the languages add their own calls)."""
        if name in self.ENV_CALLS:  # os.Getenv("API_TOKEN") wherever it is: what the code sends carries it
            self.value(node)
        else:
            super().apply(name, args, node)

    def send(self, kind: str, name: str, args, node, secret: bool) -> None:
        """Record a network effect (the languages add their own)."""
        super().network(kind, name, args, node, secret)

    def rebind(self, function: str, site: tuple) -> dict:
        """Bind ``function``'s parameters to one call's values and its assignments as worked out
        from them (once per call, kept); returns what to restore."""
        key = (function, site)
        bound = self.rebound.get(key)
        if bound is None:
            bound = self.rebound[key] = self.work_out(function, site)
        saved: dict = {}
        for (kind, name), value in bound.items():
            table = self.consts if kind == "c" else self.lists
            saved[(kind, name)] = table.get(name)
            table[name] = value
        return saved

    def work_out(self, function: str, site: tuple) -> dict:
        """The values of ``function``'s parameters and variables for one call (a variable given
        two different values is unknown, as in the first walk)."""
        self.an.tick(len(self.bodies.get(function, ())))
        bound: dict = {}
        saved = {}
        for param, value in site:
            saved[param] = self.consts.get(param), self.lists.get(param)
            if isinstance(value, Values):
                bound[("l", param)] = self.lists[param] = value
                bound[("c", param)] = self.consts[param] = None
            else:
                bound[("c", param)] = self.consts[param] = value if not value.dynamic else None
        try:
            for node in self.bodies.get(function, ()):
                lists = dict(self.lists)
                for name, value_node in self.pairs(node):  # (pairs may record a list literal)
                    value = self.value(value_node) if value_node is not None else dynamic()
                    known = value if not value.dynamic else None
                    if ("c", name) in bound and bound[("c", name)] != known:
                        known = None
                    saved.setdefault(name, (self.consts.get(name), lists.get(name)))
                    bound[("c", name)] = self.consts[name] = known
                    if self.lists.get(name) is not lists.get(name):
                        bound[("l", name)] = self.lists[name]
        finally:
            for name, (const, listed) in saved.items():
                self.consts[name] = const
                if listed is None:
                    self.lists.pop(name, None)
                else:
                    self.lists[name] = listed
        return bound

    def restore(self, saved: dict) -> None:
        for (kind, name), value in saved.items():
            table = self.consts if kind == "c" else self.lists
            if value is None and kind == "l":
                table.pop(name, None)
            else:
                table[name] = value

    def items(self, node) -> list[Word]:
        """The values of a list literal, a variable given one, or ``node`` itself."""
        name = self.variable(node) if node is not None and not isinstance(node, Values) else None
        if name is not None and name in self.lists:
            node = self.lists[name]
        if isinstance(node, Values):
            return list(node.words)
        if node is not None and node.type in self.LISTS:
            return [self.value(c) for c in self.elements(node)]
        return [self.value(node)]

    def fill(self, form: Word, pattern: str, args: list, depth: int, piece) -> Word:
        """A format string (``fmt.Sprintf``, ``format!``) with its placeholders (``pattern``)
        replaced: ``piece(match, next_value)`` gives each one's value; unknown when ``form`` is."""
        if form.dynamic:
            return dynamic()
        rest = iter(args)

        def next_value() -> Word:
            arg = next(rest, None)
            return self.value(arg, depth + 1) if arg is not None else dynamic()

        parts: list[Word] = []
        at = 0
        for match in re.finditer(pattern, form.text):
            parts += [Word(form.text[at:match.start()]), piece(match, next_value)]
            at = match.end()
        parts.append(Word(form.text[at:]))
        return record.join(parts)

    def elements(self, node) -> list:
        """The element nodes of a list literal ``node``."""
        return [c for c in node.named_children if c.type not in ("comment", "line_comment", "block_comment")]


def peer(address: Word) -> tuple[Word | None, int]:
    """``host:port`` (Go's and Rust's address strings; ``[::1]:22`` too) as a host and a port."""
    host, _, port = address.text.rpartition(":")
    if not host and not address.dynamic:
        return None, 0
    host = host.strip("[]") if host else address.text
    return Word(host, address.dynamic), int(port) if port.isdigit() else 0

"""Makefiles read by parsing them (tree-sitter-make), never by running make.

``parse`` reads GNU make syntax far enough to know what runs: rules (explicit, pattern and
double-colon), variables (every flavour, ``define``, target-specific ones are merged), ``include``,
conditionals (both branches count), ``$(eval …)`` of known text, ``.ONESHELL`` and ``SHELL``;
``Makefile.expand`` expands variables and functions the way make would.
Imported when a call runs make or writes a Makefile.
"""

from __future__ import annotations

import re
import shlex

from vectimus.analyser.context import Analysis, Unanalysable
from vectimus.analyser.parse import reparsed

MAX_LINES = 20_000
MAX_EXPANSION = 64 * 1024   # characters one expansion may grow to
MAX_EXPAND_DEPTH = 16
_AUTOMATIC = {"@", "<", "^", "+", "*", "?", "|", "%"}
MAX_WORDS = 256
FUNCTIONS = frozenset((
    "shell", "eval", "call", "foreach", "wildcard", "patsubst", "subst", "strip", "notdir", "dir", "basename",
    "addprefix", "addsuffix", "filter", "filter-out", "sort", "word", "wordlist", "firstword", "lastword",
    "words", "abspath", "realpath", "if", "or", "and", "origin", "value", "info", "warning", "error", "file",
    "suffix", "join", "findstring", "flavor", "let", "intcmp"))


class Rule:
    """What one target needs and runs."""

    __slots__ = ("prereqs", "recipes", "source")

    def __init__(self, source: str) -> None:
        self.prereqs: list[str] = []
        self.recipes: list[list[str]] = []  # one list of recipe lines per rule with a recipe
        self.source = source

    def copy(self) -> Rule:
        rule = Rule(self.source)
        rule.prereqs, rule.recipes = list(self.prereqs), list(self.recipes)
        return rule


class Makefile:
    """A parsed Makefile: rules, pattern rules, variables and what runs when it is read."""

    def __init__(self) -> None:
        self.rules: dict[str, Rule] = {}
        self.patterns: list[tuple[str, Rule]] = []
        self.vars: dict[str, str] = {}
        self.shell_calls: list[tuple[str, str]] = []  # (file, text of a $(shell …)) run when read
        self.default = ""
        self.oneshell = False
        self.includes: list[str] = []
        self.sources: dict[str, tuple[str, bool]] = {}  # label -> (path, written by the agent)
        # The kept parse this is an unchanged copy of (None once anything else went into it), and
        # what was worked out from a kept parse alone (``make.expanded``: recipes by goals).
        self.origin: Makefile | None = None
        self.derived: dict = {}

    def blank(self) -> bool:
        """Nothing parsed into it yet (what parsing a file adds depends on nothing else)."""
        return not (self.rules or self.patterns or self.vars or self.shell_calls or self.default
                    or self.oneshell or self.includes)

    def take(self, parsed: Makefile) -> None:
        """Hold a copy of what was parsed into the blank ``parsed`` (``sources`` are left as they are)."""
        self.rules = {target: rule.copy() for target, rule in parsed.rules.items()}
        self.patterns = [(pattern, rule.copy()) for pattern, rule in parsed.patterns]
        self.vars = dict(parsed.vars)
        self.shell_calls = list(parsed.shell_calls)
        self.default, self.oneshell, self.includes = parsed.default, parsed.oneshell, list(parsed.includes)
        self.origin = parsed

    # -- variables --------------------------------------------------------------------------

    def expand(self, text: str, auto: dict[str, str] | None = None, depth: int = 0) -> str:
        """``text`` with ``$(VAR)``, ``${VAR}``, ``$X``, automatic variables and ``$$`` replaced.

        A variable with no value here becomes the shell's ``${VAR}``, which stays unresolved.
        """
        if "$" not in text:
            return text
        if depth > MAX_EXPAND_DEPTH:
            raise Unanalysable("Makefile variables nested too deeply")
        out: list[str] = []
        i, n, size = 0, len(text), 0
        while i < n:
            j = text.find("$", i)
            if j < 0 or j + 1 >= n:  # no reference left (a "$" at the very end stays as it is)
                out.append(text[i:])
                break
            out.append(text[i:j])
            nxt = text[j + 1]
            if nxt == "$":
                out.append("$")
                i = j + 2
                continue
            if nxt in "({":
                end = _closing(text, j + 1)
                value = self._reference(text[j + 2:end], auto, depth)
                i = end + 1
            else:
                value = self._variable(nxt, auto, depth)
                i = j + 2
            out.append(value)
            size += len(value)
            if size > MAX_EXPANSION:
                raise Unanalysable("a Makefile variable expands beyond the analysable size")
        return "".join(out)

    def _reference(self, inner: str, auto, depth: int) -> str:
        head, _, rest = inner.partition(" ")
        if head in FUNCTIONS:
            if head == "foreach":
                return self._foreach(rest, auto, depth)
            if head == "call":
                return self._call(rest, auto, depth)
            arg = self.expand(rest, auto, depth + 1)
            if head == "shell":
                return "$(" + arg + ")"          # the shell runs it: a command substitution
            if head == "file":
                return _file(arg)
            if head in ("wildcard", "sort", "abspath", "realpath", "strip"):
                return " ".join(arg.split())     # the same paths (globbed, ordered, absolute)
            if head in ("info", "warning", "eval"):
                return ""
            return "${MAKE_" + head.upper().replace("-", "_") + "}"
        name = inner
        if ":" in inner and "=" in inner:  # $(VAR:.c=.o) substitution references
            name = inner.split(":", 1)[0]
        return self._variable(name, auto, depth)

    def _foreach(self, rest: str, auto, depth: int) -> str:
        """``$(foreach var,list,text)``: ``text`` once per word of ``list``."""
        parts = _split_args(rest, 3)
        if len(parts) < 3:
            return "${MAKE_FOREACH}"
        var = parts[0].strip()
        words = self.expand(parts[1], auto, depth + 1).split()
        if len(words) > MAX_WORDS:
            return "${MAKE_FOREACH}"
        return " ".join(self.expand(parts[2], {**(auto or {}), var: w}, depth + 1) for w in words)

    def _call(self, rest: str, auto, depth: int) -> str:
        """``$(call fn,a,b)``: the variable ``fn`` with ``$(1)``, ``$(2)`` … set."""
        parts = _split_args(rest, 64)
        name = self.expand(parts[0], auto, depth + 1).strip()
        args = {str(i): self.expand(a, auto, depth + 1) for i, a in enumerate(parts[1:], start=1)}
        body = self.vars.get(name)
        return self.expand(body, {**(auto or {}), **args}, depth + 1) if body is not None else "${MAKE_CALL}"

    def _variable(self, name: str, auto, depth: int) -> str:
        if auto is not None and name in auto:
            return auto[name]
        if name in _AUTOMATIC or name.rstrip("DF") in _AUTOMATIC and len(name) == 2:
            return "${MAKE_AUTOMATIC}"
        if name in self.vars:
            return self.expand(self.vars[name], auto, depth + 1)
        if name == "MAKE":
            return "make"
        if name in ("CURDIR",):
            return "${PWD}"
        return "${" + re.sub(r"[^A-Za-z0-9_]", "_", name) + "}" if name else ""


def _file(arg: str) -> str:
    """What ``$(file <PATH)`` expands to: the file's text, as the shell's ``$(cat PATH)`` (a write,
    ``$(file >PATH,TEXT)``, expands to nothing; ``_parse`` records both as make reads the file)."""
    op = arg.partition(",")[0].strip()
    return f"$(cat {shlex.quote(op[1:].strip())})" if op.startswith("<") else ""


_LOAD = re.compile(r"(?m)^[ ]*-?load[ \t]+[^:=\n]+$")  # GNU make's `load` directive
_FILE_FUNCTION = re.compile(r"\$[({]file\s+(<|>>?)\s*([^\s,)}]+)")  # $(file <PATH) / $(file >PATH,TEXT)


def _closing(text: str, start: int) -> int:
    """The index of the bracket closing the one at ``start`` (nesting counted), or the end."""
    open_ch = text[start]
    close_ch = ")" if open_ch == "(" else "}"
    end = text.find(close_ch, start + 1)
    if end >= 0 and text.find(open_ch, start + 1, end) < 0:
        return end  # nothing nested (the common case): the first closing bracket
    level = 0
    for j in range(start, len(text)):
        if text[j] == open_ch:
            level += 1
        elif text[j] == close_ch:
            level -= 1
            if level == 0:
                return j
    return len(text) - 1


def _split_args(text: str, limit: int) -> list[str]:
    """A function's comma-separated arguments (commas inside brackets do not split)."""
    out: list[str] = []
    level = start = 0
    for j, ch in enumerate(text):
        if ch in "({":
            level += 1
        elif ch in ")}":
            level -= 1
        elif ch == "," and level == 0 and len(out) < limit - 1:
            out.append(text[start:j])
            start = j + 1
    out.append(text[start:])
    return out


_PARSER = None


def _parser():
    global _PARSER
    if _PARSER is None:
        import tree_sitter

        from vectimus.native import grammar

        _PARSER = tree_sitter.Parser(tree_sitter.Language(grammar("tree_sitter_make")))
    return _PARSER


_BLOCKS = {"conditional", "ifeq_directive", "ifneq_directive", "ifdef_directive", "ifndef_directive",
           "else_directive", "export_directive", "override_directive", "private_directive"}


# The text of a rule -> its targets' and prerequisites' text in order, its recipe lines and the text
# of its ``$(shell …)`` calls (``_Reader.rule``): a Makefile written again mostly holds the same rules.
_RULES: dict[bytes, tuple[tuple[tuple[str, str], ...], tuple[str, ...], tuple[str, ...]]] = {}
MAX_RULES = 4096

# (text, name) -> the Makefile parsed from them into a blank one: a pure function of the two, kept
# for the next calls (the evaluator runs many) and handed out as copies.
_PARSED: dict[tuple[str, str], Makefile] = {}
MAX_PARSED = 8


def parse(text: str, source: str = "Makefile", into: Makefile | None = None, depth: int = 0,
          an: Analysis | None = None) -> Makefile:
    """Parse Makefile ``text`` (named ``source``) into ``into`` (a new Makefile by default).

    Text the grammar cannot parse is Unanalysable (GNU make refuses most of it too), and so is text
    whose parsing overruns the parse budget of the call ``an``. Parsing into a blank Makefile
    depends on ``text`` and ``source`` alone: the last few such parses are kept.
    """
    mk = into if into is not None else Makefile()
    if depth or not mk.blank():
        mk.origin = None  # no longer a copy of one kept parse
        return _parse(text, source, mk, depth, an)
    key = (text, source)
    parsed = _PARSED.pop(key, None)
    if parsed is None:
        parsed = _parse(text, source, Makefile(), 0, an)
        while len(_PARSED) >= MAX_PARSED:
            _PARSED.pop(next(iter(_PARSED)), None)
    _PARSED[key] = parsed  # the most recently used last
    mk.take(parsed)
    return mk


def _tree(data: bytes, an: Analysis):
    """The root of ``data``'s tree, parsed from the last Makefile's tree where most of it is the same
    (``parse.reparsed``: a Makefile written again with a line changed)."""
    global _LAST
    tree = reparsed(_parser(), data, an, "a Makefile", _LAST)
    _LAST = (data, tree)
    return tree.root_node


_LAST: tuple | None = None  # the text of the last Makefile parsed within a call's budget, and its tree


def _parse(text: str, source: str, mk: Makefile, depth: int, an: Analysis | None) -> Makefile:
    data = (text if text.endswith("\n") else text + "\n").encode("utf-8", "surrogatepass")
    if data.count(b"\n") > MAX_LINES:
        raise Unanalysable(f"a Makefile of more than {MAX_LINES} lines")
    if b"load" in data and _LOAD.search(text):  # (the grammar has no `load`: it reads it as a target)
        raise Unanalysable("a Makefile that loads a shared object into make")
    root = _parser().parse(data).root_node if an is None else _tree(data, an)
    if root.has_error:
        raise Unanalysable("Makefile syntax that cannot be parsed")
    _Reader(mk, data, source, depth, an).block(root)
    if b"file" in data:  # $(file …) reads or writes wherever it is expanded: taken as done
        for op, path in _FILE_FUNCTION.findall(text):
            mk.shell_calls.append((source, f"cat {path} >/dev/null" if op == "<" else f": {op} {path}"))
    if ".ONESHELL" in mk.rules:
        mk.oneshell = True
    return mk


class _Reader:
    """Visits one parsed Makefile, filling a ``Makefile``."""

    def __init__(self, mk: Makefile, data: bytes, source: str, depth: int, an: Analysis | None) -> None:
        self.mk, self.data, self.source, self.depth, self.an = mk, data, source, depth, an

    def text(self, node) -> str:
        return self.data[node.start_byte:node.end_byte].decode("utf-8", "replace") if node is not None else ""

    def block(self, node) -> None:
        for child in node.named_children:
            kind = child.type
            if kind == "rule":
                self.rule(child)
            elif kind == "variable_assignment":
                self.assign(child)
            elif kind == "shell_assignment":
                self.shell_calls(child)
                name = self.text(child.child_by_field_name("name")).strip()
                command = child.child_by_field_name("value") or child.named_children[-1]
                self.mk.shell_calls.append((self.source, self.mk.expand(self.text(command))))
                self.mk.vars[name] = "${MAKE_SHELL_OUTPUT}"
            elif kind == "define_directive":
                name = self.text(child.child_by_field_name("name")).strip()
                value = child.child_by_field_name("value")
                self.mk.vars[name] = self.text(value).rstrip("\n")
            elif kind == "include_directive":
                self.mk.includes.extend(self.mk.expand(self.text(child.child_by_field_name("filenames"))).split())
            elif kind == "function_call":
                self.shell_calls(child)
                if self.text(child.child_by_field_name("function")) == "eval":
                    self.eval(child)
            elif kind in _BLOCKS:
                self.shell_calls_of_condition(child)
                self.block(child)
            elif kind == "RECIPEPREFIX_assignment":
                raise Unanalysable("a Makefile that changes .RECIPEPREFIX")
            else:  # a bare `$(shell …)` line, export/override/vpath …: make expands them as it reads
                self.shell_calls(child)

    def assign(self, node) -> None:
        self.shell_calls(node)
        name = self.text(node.child_by_field_name("name")).strip()
        op = self.text(node.child_by_field_name("operator")).strip()
        value = self.text(node.child_by_field_name("value")).strip()
        mk = self.mk
        if node.child_by_field_name("target_or_pattern") is not None or op == "?=":
            mk.vars.setdefault(name, value)  # target-specific: counted for every target
        elif op == "+=":
            mk.vars[name] = (mk.vars.get(name, "") + " " + value).strip()
        elif op in (":=", "::=", ":::="):
            mk.vars[name] = mk.expand(value).replace("$", "$$")
        else:
            mk.vars[name] = value

    def rule(self, node) -> None:
        mk = self.mk
        key = self.data[node.start_byte:node.end_byte]
        found = _RULES.get(key)
        if found is None:  # read from its tree: what a rule's text holds depends on that text alone
            heads = tuple((child.type, self.text(child)) for child in node.named_children
                          if child.type in ("targets", "prerequisites"))
            recipes = [child for child in node.named_children if child.type == "recipe"]
            recipe = tuple(self.text(line) for line in recipes[-1].named_children
                           if line.type == "recipe_line") if recipes else ()
            if len(_RULES) >= MAX_RULES:
                _RULES.clear()
            found = _RULES[key] = (heads, recipe, self.shell_commands(node))
        heads, recipe, commands = found
        targets, prereqs = [], []
        for kind, text in heads:  # expanded with the variables read so far, in order
            if kind == "targets":
                targets = mk.expand(text).split()
            else:
                prereqs.extend(mk.expand(text).split())
        lines = list(recipe)
        for command in commands:
            mk.shell_calls.append((self.source, mk.expand(command)))
        for target in targets:
            if "%" in target:
                rule = Rule(self.source)
                mk.patterns.append((target, rule))
            else:
                rule = mk.rules.get(target) or Rule(self.source)
                mk.rules[target] = rule
                if not mk.default and not target.startswith("."):
                    mk.default = target
            rule.prereqs.extend(prereqs)
            if lines:
                rule.recipes.append(lines)  # several rules with recipes (double-colon) all run

    def shell_calls(self, node) -> None:
        """Every ``$(shell …)`` outside recipes: make runs them when it reads or expands the value."""
        for command in self.shell_commands(node):
            self.mk.shell_calls.append((self.source, self.mk.expand(command)))

    def shell_commands(self, node) -> tuple[str, ...]:
        """The text of every ``$(shell …)`` in ``node`` outside recipes, unexpanded."""
        if b"shell" not in self.data[node.start_byte:node.end_byte]:  # none here: no walk of its tree
            return ()
        out, stack = [], [node]
        while stack:
            current = stack.pop()
            if current.type == "recipe":
                continue
            if current.type == "shell_function":
                command = next((c for c in current.named_children if c.type == "shell_command"), None)
                out.append(self.text(command))
                continue
            stack.extend(current.named_children)
        return tuple(out)

    def shell_calls_of_condition(self, node) -> None:
        for child in node.named_children:
            if child.type not in ("rule", "variable_assignment", "recipe") and child.type not in _BLOCKS:
                self.shell_calls(child)

    def eval(self, node) -> None:
        """``$(eval TEXT)``: TEXT (expanded) is more Makefile."""
        if self.depth > 4:
            raise Unanalysable("$(eval …) nested too deeply in a Makefile")
        arguments = node.child_by_field_name("arguments") or next(
            (c for c in node.named_children if c.type == "arguments"), None)
        parse(self.mk.expand(self.text(arguments)), self.source, self.mk, self.depth + 1, self.an)

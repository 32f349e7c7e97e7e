"""make: the recipes a goal runs, read from the Makefile by parsing it (never by running make).

``parse`` reads GNU make syntax far enough to know what runs: rules (explicit, pattern and
double-colon), variables (every flavour, ``define``, target-specific ones are merged), ``include``,
conditionals (both branches count), ``$(eval …)`` of known text, ``.ONESHELL`` and ``SHELL``.
``run`` takes a make command line (``-f``, ``-C``, ``-n``, goals, ``VAR=value``), finds the goal's
recipes and those of its prerequisites, expands their variables and analyses each as shell code
run by the file (``via`` ``Makefile:target``). ``$(shell …)`` runs whenever the Makefile is read,
so every one of them is analysed too. A variable with no value in the Makefile or the environment
becomes an unresolved shell variable, so what it would change stays unknown (dynamic).
Standard library only: imported when a call runs make.
"""

from __future__ import annotations

import re

from vectimus.analyser import argv, runs
from vectimus.analyser.context import Analysis, Cmd, Unanalysable, Word
from vectimus.analyser.parse import budgeted

MAX_LINES = 20_000
MAX_EXPANSION = 64 * 1024   # characters one expansion may grow to
MAX_EXPAND_DEPTH = 16
MAX_RECIPES = 400           # recipe lines one make run contributes
MAX_INCLUDES = 16
NAMES = ("GNUmakefile", "makefile", "Makefile")
MAKE_VALUE = argv.opts("-f --file --makefile -C --directory -I --include-dir -j --jobs -l --load-average "
                       "-o --old-file --assume-old -W --what-if --new-file --assume-new -O --output-sync "
                       "--eval")
DRY_RUN = ("n", "just-print", "dry-run", "recon", "q", "question", "t", "touch")
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
        i = 0
        size = 0
        while i < len(text):
            ch = text[i]
            if ch != "$" or i + 1 >= len(text):
                out.append(ch)
                i += 1
                continue
            nxt = text[i + 1]
            if nxt == "$":
                out.append("$")
                i += 2
                continue
            if nxt in "({":
                end = _closing(text, i + 1)
                inner = text[i + 2:end]
                value = self._reference(inner, auto, depth)
                i = end + 1
            else:
                value = self._variable(nxt, auto, depth)
                i += 2
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


def _closing(text: str, start: int) -> int:
    """The index of the bracket closing the one at ``start`` (nesting counted), or the end."""
    open_ch = text[start]
    close_ch = ")" if open_ch == "(" else "}"
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
    out, level, start = [], 0, 0
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


def parse(text: str, source: str = "Makefile", into: Makefile | None = None, depth: int = 0,
          an: Analysis | None = None) -> Makefile:
    """Parse Makefile ``text`` (named ``source``) into ``into`` (a new Makefile by default).

    Text the grammar cannot parse is Unanalysable (GNU make refuses most of it too), and so is text
    whose parsing overruns the parse budget of the call ``an``.
    """
    mk = into or Makefile()
    data = (text if text.endswith("\n") else text + "\n").encode("utf-8", "surrogatepass")
    if data.count(b"\n") > MAX_LINES:
        raise Unanalysable(f"a Makefile of more than {MAX_LINES} lines")
    root = _parser().parse(data).root_node if an is None else budgeted(_parser(), data, an, "a Makefile")
    if root.has_error:
        raise Unanalysable("Makefile syntax that cannot be parsed")
    _Reader(mk, data, source, depth, an).block(root)
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
        targets, prereqs, lines = [], [], []
        for child in node.named_children:
            if child.type == "targets":
                targets = mk.expand(self.text(child)).split()
            elif child.type == "prerequisites":
                prereqs.extend(mk.expand(self.text(child)).split())
            elif child.type == "recipe":
                lines = [self.text(line) for line in child.named_children if line.type == "recipe_line"]
        self.shell_calls(node)
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
        stack = [node]
        while stack:
            current = stack.pop()
            if current.type == "recipe":
                continue
            if current.type == "shell_function":
                command = next((c for c in current.named_children if c.type == "shell_command"), None)
                self.mk.shell_calls.append((self.source, self.mk.expand(self.text(command))))
                continue
            stack.extend(current.named_children)

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


# -- running it -----------------------------------------------------------------------------

def run(an: Analysis, cmd: Cmd, name: str) -> bool | None:
    """make / gmake: the recipes the goals run, read from the Makefile as it is on disk."""
    p = argv.parse(cmd.words[1:], MAKE_VALUE)
    cmd = cmd.moved(p.all("C", "directory"))
    files = p.all("f", "file", "makefile") or _default_file(an, cmd)
    if not files:
        return None
    if any(w.dynamic for w in files):
        return True
    goals, overrides = [], {}
    for word in p.operands:
        if "=" in word.text and not word.text.startswith("="):
            key, _, value = word.text.partition("=")
            overrides[key.strip(":")] = value
        else:
            goals.append(word.text)
    mk = Makefile()
    try:
        for word in files:
            _load(an, cmd, word, mk)
        for word in p.all("eval"):
            parse(word.text, "--eval", mk)
        mk.vars.update(overrides)
        if mk.sources:
            analyse(an, cmd, mk, None if any(p.has(f) for f in DRY_RUN) else goals or [mk.default])
    except Unanalysable as exc:
        path, mine = next(iter(mk.sources.values()), ("", False))
        runs.unread(an, cmd, path, runs.display(an, path) if path else "Makefile", mine, str(exc))
    return None


def analyse(an: Analysis, cmd: Cmd, mk: Makefile, goals: list[str] | None) -> None:
    """What reading ``mk`` runs (its ``$(shell …)``), then the recipes of ``goals`` (None: no recipes;
    ``[]``: every rule's, for a Makefile being written)."""
    for source, text in mk.shell_calls:
        path, mine = mk.sources.get(source, ("", True))
        runs.analyse(an, cmd, mk.expand(text), "shell", f"{source} $(shell)", mine, path=path)
    if goals is None:
        return
    shell = mk.expand(mk.vars.get("SHELL", "/bin/sh")).strip() or "/bin/sh"
    lang = runs.interpreter_language(shell.split()[0].rsplit("/", 1)[-1])
    for target, source, lines in (recipes(mk, goals) if goals else _every_recipe(mk)):
        path, mine = mk.sources.get(source, ("", True))
        if lang is None:
            runs.unread(an, cmd, path, f"{source}:{target}", mine, f"recipes run by SHELL={shell}")
            return
        _recipe(an, cmd, mk, f"{source}:{target}", lines, mine, path, lang)


def _every_recipe(mk: Makefile) -> list[tuple[str, str, list[str]]]:
    """Every rule's recipe (a Makefile being written: any target may run later)."""
    out, count = [], 0
    for target, rule in [*mk.rules.items(), *mk.patterns]:
        for block in rule.recipes:
            count += len(block)
            if count > MAX_RECIPES:
                raise Unanalysable(f"a Makefile with more than {MAX_RECIPES} recipe lines")
            out.append((target, rule.source, [mk.expand(line, {}) for line in block]))
    return out


def _default_file(an: Analysis, cmd: Cmd) -> list[Word]:
    for name in NAMES:
        if an.target(Word(name), cmd.scope).exists:
            return [Word(name)]
    return []


def _load(an: Analysis, cmd: Cmd, word: Word, mk: Makefile) -> None:
    """Read and parse one Makefile and every file it includes into ``mk``."""
    queue = [an.target(word, cmd.scope).path]
    while queue:
        if len(mk.sources) > MAX_INCLUDES:
            raise Unanalysable(f"more than {MAX_INCLUDES} included Makefiles")
        path = queue.pop(0)
        found = runs.source(an, cmd, path)
        if found is None:
            continue
        text, label, mine = found
        mk.sources[label] = (path, mine)
        parse(text, label, mk, an=an)
        queue.extend(an.target(Word(name), cmd.scope).path for name in mk.includes)
        mk.includes.clear()


def recipes(mk: Makefile, goals: list[str]) -> list[tuple[str, str, list[str]]]:
    """(target, file, recipe lines) for what making ``goals`` runs, prerequisites first, each once."""
    out: list[tuple[str, str, list[str]]] = []
    seen: set[str] = set()
    count = 0

    def visit(target: str, depth: int) -> None:
        nonlocal count
        if target in seen or depth > 64:
            return
        seen.add(target)
        rule, stem = mk.rules.get(target), ""
        if rule is None or not rule.recipes:
            found = _pattern(mk, target)
            if found is not None:
                pattern, stem = found
                merged = Rule(pattern.source)
                merged.prereqs = [*(rule.prereqs if rule is not None else ()), *pattern.prereqs]
                merged.recipes = pattern.recipes
                rule = merged
        if rule is None:
            return
        prereqs = [p.replace("%", stem) for p in rule.prereqs]
        for prereq in prereqs:
            visit(prereq, depth + 1)
        for block in rule.recipes:
            count += len(block)
            if count > MAX_RECIPES:
                raise Unanalysable(f"make would run more than {MAX_RECIPES} recipe lines")
            auto = {"@": target, "<": prereqs[0] if prereqs else "", "^": " ".join(prereqs),
                    "+": " ".join(prereqs), "?": " ".join(prereqs), "*": stem, "|": ""}
            out.append((target, rule.source, [mk.expand(line, auto) for line in block]))

    for goal in goals:
        if goal:
            visit(goal, 0)
    return out


def _pattern(mk: Makefile, target: str) -> tuple[Rule, str] | None:
    for pattern, rule in mk.patterns:
        prefix, _, suffix = pattern.partition("%")
        if target.startswith(prefix) and target.endswith(suffix) and len(target) >= len(prefix) + len(suffix):
            return rule, target[len(prefix):len(target) - len(suffix)]
    return None


def _recipe(an: Analysis, cmd: Cmd, mk: Makefile, name: str, lines: list[str], mine: bool, path: str,
            shell: str) -> None:
    """One target's recipe lines: each runs in its own shell (all in one with ``.ONESHELL``)."""
    clean = [line.lstrip().lstrip("@-+").lstrip() for line in lines]
    for text in (["\n".join(clean)] if mk.oneshell or shell != "shell" else clean):
        if text.strip():
            runs.analyse(an, cmd, text, shell, name, mine, path=path)

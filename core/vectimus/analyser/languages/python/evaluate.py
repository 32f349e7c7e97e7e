"""Abstract evaluation of a Python module: statements in order, values folded where they are
constant, calls into known libraries handed to ``library``, user functions inlined. This module
holds the statements, names and functions; ``expressions`` the expressions.

Values are ``values.Val``. What the evaluator cannot know is unknown (and makes the actions built
from it dynamic); branches and loops merge what names may hold into alternatives; taint follows
data from secret files and the environment into what the code sends. Functions are inlined where
they are called (bounded); functions never called here are evaluated once with unknown arguments,
since a framework or a later import may call them.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Callable
from typing import Any

from vectimus.analyser.context import MAX_COMMAND_BYTES, MAX_DEPTH, Analysis, Word
from vectimus.analyser.languages import folding
from vectimus.analyser.languages import values as V
from vectimus.analyser.languages.effects import Effects
from vectimus.analyser.languages.evaluation import CHECK_MASK, MAX_EVAL_DEPTH, Frame, Function, Klass
from vectimus.analyser.languages.python import imports, library, narrowing
from vectimus.analyser.languages.python.expressions import Expressions
from vectimus.analyser.languages.python.parse import parse
from vectimus.analyser.languages.values import DICT, OBJ, REF, SEQ, Val

class Evaluator(Expressions):
    """Evaluates one module's syntax tree, recording its effects through ``fx``."""

    lang = "python"

    def __init__(self, an: Analysis, fx: Effects, code: Word) -> None:
        super().__init__(an, fx)
        self.code = code
        self.execs = 0                     # exec() of known source nested here
        self.star: list[str] = []          # modules imported with *
        self.attr_taint: dict[str, int] = {}  # attribute name -> taint stored under it
        self.argv = library.script_argv(fx.cmd, code)
        self.text = code.text              # the source the statements being run were parsed from

    def run(self, tree: ast.Module) -> None:
        self.block(tree.body)
        self.finish()

    def block(self, body) -> None:
        for node in body:
            self.stmt(node)

    def stmt(self, node) -> None:
        try:  # ``enter`` inlined: this runs for every statement
            self.count = count = self.count + 1
            if not count & CHECK_MASK:
                self.tick()
            self.depth = depth = self.depth + 1
            if depth > MAX_EVAL_DEPTH:
                self.fx.give_up("nested too deeply to analyse")
                return
            STATEMENTS.get(type(node), Evaluator.s_other)(self, node)
        finally:
            self.depth -= 1

    def s_other(self, node) -> None:
        """A statement no handler knows (``pass``, ``assert``, ``raise`` …): what it contains."""
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self.expr(child)
            elif isinstance(child, ast.stmt):
                self.stmt(child)

    def fact(self, read: Callable[[str], Any], node) -> Any:
        """``read`` of the source lines of a statement, kept with the text per reader and node."""
        source = source_of(self.text)
        key = (read, node)
        found = source.facts.get(key, _MISSING)
        if found is _MISSING:
            if len(source.facts) >= MAX_FACTS:
                source.facts.clear()
            found = source.facts[key] = read("\n".join(source.lines[node.lineno - 1:node.end_lineno or node.lineno]))
        return found

    # -- statements ---------------------------------------------------------------------------

    def s_expr(self, node: ast.Expr) -> None:
        self.expr(node.value)

    def s_import(self, node: ast.Import) -> None:
        for alias in node.names:
            imports.follow(self, alias.name)
            if alias.asname:
                self.assign_name(alias.asname, V.ref(library.canonical(alias.name)))
            else:
                top = alias.name.split(".")[0]
                self.assign_name(top, V.ref(library.canonical(top)))

    def s_import_from(self, node: ast.ImportFrom) -> None:
        module = library.canonical(node.module or "")
        if not node.level:
            imports.follow(self, node.module or "")
        for alias in node.names:
            if not node.level and alias.name != "*":
                imports.follow(self, f"{node.module}.{alias.name}")  # a submodule, maybe
            if alias.name == "*":
                self.star.append(module)
                continue
            self.assign_name(alias.asname or alias.name, V.ref(library.canonical(f"{module}.{alias.name}")))

    def s_assign(self, node: ast.Assign) -> None:
        value = self.expr(node.value)
        for target in node.targets:
            self.assign(target, value)

    def s_ann_assign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.assign(node.target, self.expr(node.value))

    def s_aug_assign(self, node: ast.AugAssign) -> None:
        current = self.expr(_load(node.target))
        right = self.expr(node.value)
        if isinstance(node.op, ast.Add) and current.kind == SEQ and isinstance(current.value, list):
            current.value.extend(self.iterate_all(right))  # a list grows in place (aliases see it)
            current.taint |= right.taint
            return
        self.assign(node.target, self.binop(type(node.op), current, right))

    def s_if(self, node: ast.If) -> None:
        self.expr(node.test)
        test = node.test
        guard = not node.orelse and isinstance(node.body[-1], (ast.Continue, ast.Return, ast.Break, ast.Raise))
        if guard:  # what follows sees the test false: `if not T: continue` narrows by T, `if T: continue` by not T
            test = test.operand if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) \
                else ast.UnaryOp(ast.Not(), test)
        narrowed = narrowing.narrowed(self, test)
        if not narrowed:
            self.branches([node.body, node.orelse])
        elif guard:  # `if not f.endswith(".py"): continue`: what follows sees the entries let through
            self.branches([node.body, []])
            self.frame.env.update(narrowed)
        else:  # the body sees the names as the test narrows them, the else branch as they were
            self.narrowed_branches(narrowed, [node.body, node.orelse])

    def s_match(self, node) -> None:
        self.expr(node.subject)
        self.branches([case.body for case in node.cases] + [[]])

    def s_try(self, node) -> None:
        before = dict(self.frame.env)
        self.block(node.body)
        self.merge_into([before, dict(self.frame.env)])
        bodies = [h.body for h in node.handlers] + [node.orelse]
        for h in node.handlers:
            if h.name:
                self.assign_name(h.name, V.unknown("an exception"))
        self.branches(bodies)
        self.block(node.finalbody)

    def s_for(self, node) -> None:
        iterable = self.expr(node.iter)
        self.loop_entry(self.fact(assigned_names, node))
        self.assign(node.target, self.element(iterable))
        self.block(node.body)
        self.block(node.orelse)

    def s_while(self, node: ast.While) -> None:
        self.expr(node.test)
        self.loop_entry(self.fact(assigned_names, node))
        self.block(node.body)
        self.block(node.orelse)

    def s_with(self, node) -> None:
        for item in node.items:
            value = self.expr(item.context_expr)
            if item.optional_vars is not None:
                self.assign(item.optional_vars, value)
        self.block(node.body)

    def s_function(self, node) -> None:
        decorators = [self.expr(d) for d in node.decorator_list]
        value = V.obj("func", self.define(node))
        for d in reversed(decorators):  # a decorator of this module's own is called with the function
            if d.kind == OBJ and d.value[0] in ("func", "bound"):
                result = self.call_user(d, [value], {})
                value = result if result is not None and result.kind != V.UNKNOWN else value
        self.assign_name(node.name, value)

    def s_class(self, node: ast.ClassDef) -> None:
        for d in node.decorator_list:
            self.expr(d)
        for b in node.bases:
            self.expr(b)
        outer = self.frame
        self.frame = Frame({}, outer.env if outer.function else None, outer.function)
        try:
            self.block(node.body)
            attrs = self.frame.env
        finally:
            self.frame = outer
        klass = Klass(node.name, attrs)
        for value in attrs.values():
            if value.kind == OBJ and value.value[0] == "func":
                value.value[1].klass = klass
        self.assign_name(node.name, V.obj("class", klass))

    def s_return(self, node: ast.Return) -> None:
        self.frame.returns.append(self.expr(node.value) if node.value is not None else V.NONE)

    def s_global(self, node) -> None:
        self.frame.globals_.update(node.names)

    def s_delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            if isinstance(target, ast.Subscript):
                container = self.expr(target.value)
                index = self.expr(target.slice)
                folding.remove_item(container, index)
            else:
                self.expr(_load(target)) if not isinstance(target, ast.Name) else None

    # -- control flow helpers -------------------------------------------------------------------

    # -- names ----------------------------------------------------------------------------------

    def assign(self, target, value: Val) -> None:
        if isinstance(target, ast.Name):
            self.assign_name(target.id, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            items = folding.unpack(value, len(target.elts))
            for t, v in zip(target.elts, items):
                if isinstance(t, ast.Starred):
                    self.assign(t.value, V.unknown("the rest", V.taint_of(value), item=v))
                else:
                    self.assign(t, v)
        elif isinstance(target, ast.Starred):
            self.assign(target.value, value)
        elif isinstance(target, ast.Attribute):
            owner = self.expr(target.value)
            if owner.kind == OBJ and owner.value[0] == "inst":
                owner.value[1]["attrs"][target.attr] = value
            if value.taint:
                self.attr_taint[target.attr] = self.attr_taint.get(target.attr, 0) | V.taint_of(value)
                self.taint_root(target.value, value)
        elif isinstance(target, ast.Subscript):
            container = self.expr(target.value)
            key = self.expr(target.slice)
            folding.set_item(container, key, value)
            if V.taint_of(value):
                self.taint_root(target.value, value)

    def taint_root(self, node, value: Val) -> None:
        while isinstance(node, (ast.Attribute, ast.Subscript)):
            node = node.value
        if isinstance(node, ast.Name):
            old = self.lookup(node.id)
            if old is not None and old.kind not in (REF,):
                self.assign_name(node.id, old.tainted(V.taint_of(value)))

    def name(self, name: str) -> Val:
        found = self.lookup(name)
        if found is not None:
            return found
        if name == "__file__":
            return self.argv.value[0] if self.argv.kind == SEQ and self.argv.value else V.unknown("__file__")
        if name == "__name__":
            return V.const("__main__")
        for module in self.star:
            qual = f"{module}.{name}"
            if library.known(qual):
                return V.ref(qual)
        if name in library.BUILTINS or name in library.MODULES:
            return V.ref(name)  # a module used without its import: found through * or a NameError
        return V.unknown(name)

    def exec_source(self, text: str, via: str) -> Val:
        """Run source the code builds (``exec``/``eval`` of a known string) in this namespace."""
        if len(text) > MAX_COMMAND_BYTES or self.execs >= MAX_DEPTH:
            self.fx.give_up("code evaluated too deeply or too long to analyse")
            return V.unknown("an evaluated value")
        tree, reason = parse(text)
        if reason:
            self.fx.give_up(reason)
        if tree is None:
            return V.unknown("an evaluated value")
        outer_cmd, outer_text = self.fx.cmd, self.text
        self.fx.cmd = outer_cmd.with_words(outer_cmd.words, via=via)
        self.text = text
        self.execs += 1
        try:
            body = tree.body
            if len(body) == 1 and isinstance(body[0], ast.Expr):
                return self.expr(body[0].value)  # eval: the expression's value
            self.block(body)
            return V.NONE
        finally:
            self.execs -= 1
            self.fx.cmd, self.text = outer_cmd, outer_text

    # -- functions --------------------------------------------------------------------------------

    def define(self, node) -> Function:
        args = node.args
        defaults = [self.expr(d) for d in args.defaults]
        kw_defaults = [self.expr(d) if d is not None else None for d in args.kw_defaults]
        fn = Function(node, self.closure(), defaults, kw_defaults)
        self.functions.append(fn)
        return fn

    def run_body(self, fn: Function) -> bool:
        node = fn.node
        if isinstance(node, ast.Lambda):
            self.frame.returns.append(self.expr(node.body))
            return False
        self.block(node.body)
        return self.fact(yields, node)

    def bind(self, fn: Function, self_val: Val | None, args: list[Val], kwargs: dict[str, Val],
             generic: bool) -> dict:
        a = fn.node.args
        positional = [*a.posonlyargs, *a.args]
        env: dict[str, Val] = {}
        given = ([self_val] if self_val is not None else []) + list(args)
        if generic:
            for p in [*positional, *a.kwonlyargs]:
                env[p.arg] = V.unknown(f"an argument for {p.arg}") if fn.overflowed else V.placeholder(p.arg)
            if fn.klass is not None and positional:
                env[positional[0].arg] = V.obj("inst", {"class": fn.klass, "attrs": {}, "generic": True})
        else:
            for i, p in enumerate(positional):
                if i < len(given):
                    env[p.arg] = given[i]
                elif p.arg in kwargs:
                    env[p.arg] = kwargs.pop(p.arg)
                else:
                    d = i - (len(positional) - len(fn.defaults))
                    env[p.arg] = fn.defaults[d] if d >= 0 else V.placeholder(p.arg)
            for p, d in zip(a.kwonlyargs, fn.kw_defaults):
                env[p.arg] = kwargs.pop(p.arg, d if d is not None else V.placeholder(p.arg))
        if a.vararg is not None:
            extra = given[len(positional):] if not generic else []
            env[a.vararg.arg] = V.seq(extra) if not generic else V.placeholder(a.vararg.arg)
        if a.kwarg is not None:
            env[a.kwarg.arg] = (V.Val(DICT, [[V.const(k), v] for k, v in kwargs.items()])
                                if not generic else V.placeholder(a.kwarg.arg))
        if generic and fn.overflowed:
            for name in [n for n, v in env.items() if V.is_placeholder(v)]:
                env[name] = V.unknown(f"an argument for {name}")
        return env



def _load(target):
    """The expression reading what an assignment target names (for ``x += …``)."""
    if isinstance(target, ast.Name):
        return ast.Name(id=target.id, ctx=ast.Load())
    if isinstance(target, ast.Attribute):
        return ast.Attribute(value=target.value, attr=target.attr, ctx=ast.Load())
    if isinstance(target, ast.Subscript):
        return ast.Subscript(value=target.value, slice=target.slice, ctx=ast.Load())
    return ast.Constant(value=None)


STATEMENTS: dict[type, Callable[[Evaluator, Any], None]] = {
    ast.Expr: Evaluator.s_expr, ast.Import: Evaluator.s_import, ast.ImportFrom: Evaluator.s_import_from,
    ast.Assign: Evaluator.s_assign, ast.AnnAssign: Evaluator.s_ann_assign,
    ast.AugAssign: Evaluator.s_aug_assign, ast.If: Evaluator.s_if, ast.Try: Evaluator.s_try,
    ast.For: Evaluator.s_for, ast.AsyncFor: Evaluator.s_for, ast.While: Evaluator.s_while,
    ast.With: Evaluator.s_with, ast.AsyncWith: Evaluator.s_with,
    ast.FunctionDef: Evaluator.s_function, ast.AsyncFunctionDef: Evaluator.s_function,
    ast.ClassDef: Evaluator.s_class, ast.Return: Evaluator.s_return, ast.Global: Evaluator.s_global,
    ast.Nonlocal: Evaluator.s_global, ast.Delete: Evaluator.s_delete, ast.Match: Evaluator.s_match,
}
if hasattr(ast, "TryStar"):
    STATEMENTS[ast.TryStar] = Evaluator.s_try



class Source:
    """A text's lines, and what ``Evaluator.fact`` read off its statements: (reader, node) -> fact."""

    __slots__ = ("lines", "facts")

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        self.facts: dict[tuple[Callable[[str], Any], ast.AST], Any] = {}


MAX_FACTS = 4096  # facts kept per text
_MISSING = object()


@functools.lru_cache(maxsize=16)
def source_of(text: str) -> Source:
    """The lines of ``text`` and the facts read off its statements, kept for the last few texts (as
    ``parse`` keeps their trees): a script analysed when it is written is analysed again when it
    runs. A fact is a function of the text, the reader and the node; a node is only ever read with
    the text it is in, except that one defined by code ``exec`` ran may later be read with the
    enclosing text, and then that text's lines are what is read, as before."""
    return Source(text)


def yields(source: str) -> bool:
    """Whether a function's source may make it a generator (a superset: the word anywhere in it)."""
    return "yield" in source


@functools.lru_cache(maxsize=256)
def assigned_names(source: str) -> set[str]:
    """Names the source of a loop may assign (read off its text: cheaper than walking its tree,
    and a superset, which only makes a value less precise). Kept per text (loops written alike
    are common): the set is shared, never changed."""
    names: set[str] = set()
    for line in source.split("\n"):
        for piece in line.split(";"):
            at = piece.find("=")
            if at <= 0 or piece[at + 1:at + 2] == "=" or piece[at - 1] in "=!<>":
                continue
            lhs = piece[:at]
            if not any(c in lhs for c in "('\"#"):
                names.update(_IDENT.findall(lhs))
    for m in _BINDERS.finditer(source):
        for group in m.groups():
            if group:
                names.update(_IDENT.findall(group))
    return names


_BINDERS = re.compile(r"\bfor[ \t]+([\w ,()\[\]*]{1,200}?)[ \t]+in\b|\bas[ \t]+\(?([\w ,]{1,200})|(\w+)[ \t]*:=|"
                      r"\b(?:import|def|class|global|nonlocal)[ \t]+([\w ,.]{1,200})")
_IDENT = re.compile(r"[A-Za-z_]\w*")

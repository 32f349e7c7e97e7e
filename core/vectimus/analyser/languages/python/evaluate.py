"""Abstract evaluation of a Python module: statements in order, values folded where they are
constant, calls into known libraries handed to ``library``, user functions inlined.

Values are ``values.Val``. What the evaluator cannot know is unknown (and makes the actions built
from it dynamic); branches and loops merge what names may hold into alternatives; taint follows
data from secret files and the environment into what the code sends. Functions are inlined where
they are called (bounded); functions never called here are evaluated once with unknown arguments,
since a framework or a later import may call them.
"""

from __future__ import annotations

import ast
import re

from vectimus.analyser.context import MAX_COMMAND_BYTES, MAX_DEPTH, Analysis, Word
from vectimus.analyser.languages import folding
from vectimus.analyser.languages import values as V
from vectimus.analyser.languages.effects import Effects
from vectimus.analyser.languages.evaluation import Evaluation, Frame, Function, Klass
from vectimus.analyser.languages.python import library
from vectimus.analyser.languages.python.parse import parse
from vectimus.analyser.languages.values import CONST, DICT, OBJ, REF, SEQ, Val

MAX_ITEMS = 256          # items a comprehension is evaluated for, one by one


class Evaluator(Evaluation):
    """Evaluates one module's syntax tree, recording its effects through ``fx``."""

    lang = "python"

    def __init__(self, an: Analysis, fx: Effects, code: Word) -> None:
        super().__init__(an, fx)
        self.code = code
        self.execs = 0                     # exec() of known source nested here
        self.star: list[str] = []          # modules imported with *
        self.attr_taint: dict[str, int] = {}  # attribute name -> taint stored under it
        self.argv = library.script_argv(fx.cmd, code)
        self.lines: list[str] | None = None

    def run(self, tree: ast.Module) -> None:
        self.block(tree.body)
        self.finish()

    def block(self, body) -> None:
        for node in body:
            self.stmt(node)

    def stmt(self, node) -> None:
        try:
            if not self.enter():
                return
            handler = STATEMENTS.get(type(node))
            if handler is not None:
                handler(self, node)
            else:
                for child in ast.iter_child_nodes(node):
                    if isinstance(child, ast.expr):
                        self.expr(child)
                    elif isinstance(child, ast.stmt):
                        self.stmt(child)
        finally:
            self.depth -= 1

    def source(self, node) -> str:
        """The source lines of a statement."""
        if self.lines is None:
            self.lines = self.code.text.split("\n")
        return "\n".join(self.lines[node.lineno - 1:node.end_lineno or node.lineno])

    # -- statements ---------------------------------------------------------------------------

    def s_expr(self, node: ast.Expr) -> None:
        self.expr(node.value)

    def s_import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self.assign_name(alias.asname, V.ref(library.canonical(alias.name)))
            else:
                top = alias.name.split(".")[0]
                self.assign_name(top, V.ref(library.canonical(top)))

    def s_import_from(self, node: ast.ImportFrom) -> None:
        module = library.canonical(node.module or "")
        for alias in node.names:
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
        self.branches([node.body, node.orelse])

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
        self.loop_entry(assigned_names(self.source(node)))
        self.assign(node.target, self.element(iterable))
        self.block(node.body)
        self.block(node.orelse)

    def s_while(self, node: ast.While) -> None:
        self.expr(node.test)
        self.loop_entry(assigned_names(self.source(node)))
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
        outer_cmd, outer_lines = self.fx.cmd, self.lines
        self.fx.cmd = outer_cmd.with_words(outer_cmd.words, via=via)
        self.lines = text.split("\n")
        self.execs += 1
        try:
            body = tree.body
            if len(body) == 1 and isinstance(body[0], ast.Expr):
                return self.expr(body[0].value)  # eval: the expression's value
            self.block(body)
            return V.NONE
        finally:
            self.execs -= 1
            self.fx.cmd, self.lines = outer_cmd, outer_lines

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
        return "yield" in self.source(node)

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
                    env[p.arg] = fn.defaults[d] if d >= 0 else V.unknown(f"parameter {p.arg}")
            for p, d in zip(a.kwonlyargs, fn.kw_defaults):
                env[p.arg] = kwargs.pop(p.arg, d if d is not None else V.unknown(f"parameter {p.arg}"))
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

    # -- expressions ------------------------------------------------------------------------------

    def expr(self, node) -> Val:
        try:
            if not self.enter():
                return V.unknown("a deeply nested expression")
            handler = EXPRESSIONS.get(type(node))
            if handler is not None:
                return handler(self, node)
            taint = 0
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    taint |= V.taint_of(self.expr(child))
            return V.unknown(type(node).__name__, taint)
        finally:
            self.depth -= 1

    def e_constant(self, node: ast.Constant) -> Val:
        return V.const(node.value)

    def e_name(self, node: ast.Name) -> Val:
        return self.name(node.id)

    def e_attribute(self, node: ast.Attribute) -> Val:
        owner = self.expr(node.value)
        return self.attribute(owner, node.attr)

    def attribute(self, owner: Val, attr: str) -> Val:
        if owner.kind == V.ALTS:
            return V.alts([self.attribute(o, attr) for o in owner.value])
        if owner.kind == OBJ:
            kind, data = owner.value
            if kind == "inst":
                if attr in data["attrs"]:
                    return data["attrs"][attr]
                found = data["class"].attrs.get(attr)
                if found is not None:
                    if found.kind == OBJ and found.value[0] == "func":
                        return V.obj("bound", (found.value[1], owner))
                    return found
                if data.get("generic"):  # an instance a caller elsewhere set up
                    return V.placeholder(f"self.{attr}")
            elif kind == "class":
                found = data.attrs.get(attr)
                if found is not None:
                    return found
        result = library.attribute(self, owner, attr)
        if result is not None:
            return result
        return V.unknown(f".{attr}", V.taint_of(owner) | self.attr_taint.get(attr, 0))

    def e_subscript(self, node: ast.Subscript) -> Val:
        owner = self.expr(node.value)
        key = self.expr(node.slice)
        return library.subscript(self, owner, key)

    def e_slice(self, node: ast.Slice) -> Val:
        parts = [self.expr(p) if p is not None else V.NONE for p in (node.lower, node.upper, node.step)]
        return V.obj("slice", parts)

    def e_call(self, node: ast.Call) -> Val:
        func = self.expr(node.func)
        args: list[Val] = []
        for a in node.args:
            if isinstance(a, ast.Starred):
                value = self.expr(a.value)
                if value.kind == SEQ:
                    args.extend(value.value)
                else:
                    args.append(V.unknown("*args", V.taint_of(value)))
            else:
                args.append(self.expr(a))
        kwargs: dict[str, Val] = {}
        for kw in node.keywords:
            value = self.expr(kw.value)
            if kw.arg is not None:
                kwargs[kw.arg] = value
            elif value.kind == DICT:
                for k, v in value.value:
                    if k.is_str:
                        kwargs[k.value] = v
            else:
                kwargs["**"] = value
        return self.call(func, args, kwargs)

    def call(self, func: Val, args: list[Val], kwargs: dict[str, Val]) -> Val:
        """What calling ``func`` does and returns."""
        result = self.call_user(func, args, kwargs)
        if result is not None:
            return result
        for value in [*args, *kwargs.values()]:  # callbacks: a function passed on may run
            if value.kind == OBJ and value.value[0] == "func":
                value.value[1].referenced = True
        if len(V.options(func)) > 1:
            results = [library.call(self, f, args, dict(kwargs)) for f in V.options(func)]
            return V.alts(results)
        return library.call(self, func, args, kwargs)

    def e_binop(self, node: ast.BinOp) -> Val:
        # Long chains of + (string building) are evaluated left to right without recursing.
        chain = []
        left = node
        while isinstance(left, ast.BinOp) and len(chain) < 10_000:
            chain.append(left)
            left = left.left
        value = self.expr(left)
        for op_node in reversed(chain):
            value = self.binop(type(op_node.op), value, self.expr(op_node.right))
        return value

    def binop(self, op, left: Val, right: Val) -> Val:
        return library.binop(self, op, left, right)

    def e_boolop(self, node: ast.BoolOp) -> Val:
        return V.alts([self.expr(v) for v in node.values])

    def e_unaryop(self, node: ast.UnaryOp) -> Val:
        value = self.expr(node.operand)
        if value.kind == CONST and isinstance(value.value, (int, float)) and not isinstance(value.value, bool):
            if isinstance(node.op, ast.USub):
                return V.const(-value.value)
            if isinstance(node.op, ast.UAdd):
                return value
        if isinstance(node.op, ast.Not) and value.kind == CONST:
            return V.const(not value.value)
        return V.unknown("an operation", V.taint_of(value))

    def e_compare(self, node: ast.Compare) -> Val:
        taint = V.taint_of(self.expr(node.left), *[self.expr(c) for c in node.comparators])
        return V.unknown("a comparison", taint)

    def e_ifexp(self, node: ast.IfExp) -> Val:
        self.expr(node.test)
        return V.alts([self.expr(node.body), self.expr(node.orelse)])

    def e_joined(self, node: ast.JoinedStr) -> Val:
        parts = []
        for v in node.values:
            if isinstance(v, ast.Constant):
                parts.append(V.const(v.value))
            else:
                parts.append(self.expr(v))
        return V.concat(parts)

    def e_formatted(self, node: ast.FormattedValue) -> Val:
        value = self.expr(node.value)
        if node.format_spec is not None:
            self.expr(node.format_spec)
            return V.unknown("a formatted value", V.taint_of(value))
        if node.conversion == ord("r"):
            return library.builtin_repr(value)
        return library.to_str(value)

    def e_seq(self, node) -> Val:
        items: list[Val] = []
        for e in node.elts:
            if isinstance(e, ast.Starred):
                value = self.expr(e.value)
                items.extend(value.value if value.kind == SEQ else [V.unknown("*items", V.taint_of(value))])
            else:
                items.append(self.expr(e))
        return V.Val(SEQ, items if isinstance(node, ast.List) else tuple(items))

    def e_dict(self, node: ast.Dict) -> Val:
        pairs = []
        for k, v in zip(node.keys, node.values):
            value = self.expr(v)
            if k is None:
                if value.kind == DICT:
                    pairs.extend([list(p) for p in value.value])
                else:
                    pairs.append([V.unknown("**"), value])
            else:
                pairs.append([self.expr(k), value])
        return V.Val(DICT, pairs)

    def e_comprehension(self, node) -> Val:
        """Comprehensions run their element once per known item (bounded), else once."""
        outer = self.frame
        at_module = outer.env is self.globals
        self.frame = Frame({} if at_module else dict(outer.env), None if at_module else outer.closure,
                           outer.function)
        try:
            results, exact = self.generators(node, node.generators, 0)
        finally:
            self.frame = outer
        if isinstance(node, ast.DictComp):
            return V.unknown("a dict", V.taint_of(*results))
        if exact and len(results) <= MAX_ITEMS:
            return V.Val(SEQ, results)
        return V.unknown("items", V.taint_of(*results), item=V.alts(results) if results else None)

    def generators(self, node, gens, i: int) -> tuple[list[Val], bool]:
        """The elements a comprehension makes from generator ``i`` on, and whether that list is exact."""
        if i == len(gens):
            if isinstance(node, ast.DictComp):
                return [self.expr(node.key), self.expr(node.value)], True
            return [self.expr(node.elt)], True
        gen = gens[i]
        iterable = self.expr(gen.iter)
        if iterable.kind != SEQ or len(iterable.value) > MAX_ITEMS:
            self.assign(gen.target, self.element(iterable))
            for cond in gen.ifs:
                self.expr(cond)
            return self.generators(node, gens, i + 1)[0], False
        out: list[Val] = []
        exact = not gen.ifs
        for item in list(iterable.value):
            self.assign(gen.target, item)
            for cond in gen.ifs:
                self.expr(cond)
            found, inner_exact = self.generators(node, gens, i + 1)
            out.extend(found)
            exact &= inner_exact
            if len(out) > MAX_ITEMS:
                return out, False
        return out, exact

    def e_lambda(self, node: ast.Lambda) -> Val:
        return V.obj("func", self.define(node))

    def e_named(self, node: ast.NamedExpr) -> Val:
        value = self.expr(node.value)
        self.assign(node.target, value)
        return value

    def e_await(self, node) -> Val:
        return self.expr(node.value)

    def e_yield(self, node) -> Val:
        if node.value is not None:
            self.frame.returns.append(self.expr(node.value))
        return V.unknown("a sent value")

    def e_starred(self, node: ast.Starred) -> Val:
        return self.expr(node.value)

    # -- iteration --------------------------------------------------------------------------------

    def element(self, iterable: Val) -> Val:
        """What one iteration over ``iterable`` binds."""
        return folding.element(iterable)

    def iterate_all(self, iterable: Val) -> list[Val]:
        if iterable.kind == SEQ:
            return list(iterable.value)
        return [folding.element(iterable)]


def _load(target):
    """The expression reading what an assignment target names (for ``x += …``)."""
    if isinstance(target, ast.Name):
        return ast.Name(id=target.id, ctx=ast.Load())
    if isinstance(target, ast.Attribute):
        return ast.Attribute(value=target.value, attr=target.attr, ctx=ast.Load())
    if isinstance(target, ast.Subscript):
        return ast.Subscript(value=target.value, slice=target.slice, ctx=ast.Load())
    return ast.Constant(value=None)


STATEMENTS = {
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

EXPRESSIONS = {
    ast.Constant: Evaluator.e_constant, ast.Name: Evaluator.e_name, ast.Attribute: Evaluator.e_attribute,
    ast.Subscript: Evaluator.e_subscript, ast.Slice: Evaluator.e_slice, ast.Call: Evaluator.e_call,
    ast.BinOp: Evaluator.e_binop, ast.BoolOp: Evaluator.e_boolop, ast.UnaryOp: Evaluator.e_unaryop,
    ast.Compare: Evaluator.e_compare, ast.IfExp: Evaluator.e_ifexp, ast.JoinedStr: Evaluator.e_joined,
    ast.FormattedValue: Evaluator.e_formatted, ast.List: Evaluator.e_seq, ast.Tuple: Evaluator.e_seq,
    ast.Set: Evaluator.e_seq, ast.Dict: Evaluator.e_dict, ast.ListComp: Evaluator.e_comprehension,
    ast.SetComp: Evaluator.e_comprehension, ast.GeneratorExp: Evaluator.e_comprehension,
    ast.DictComp: Evaluator.e_comprehension, ast.Lambda: Evaluator.e_lambda,
    ast.NamedExpr: Evaluator.e_named, ast.Await: Evaluator.e_await, ast.Yield: Evaluator.e_yield,
    ast.YieldFrom: Evaluator.e_yield, ast.Starred: Evaluator.e_starred,
}


def assigned_names(source: str) -> set[str]:
    """Names the source of a loop may assign (read off its text: cheaper than walking its tree,
    and a superset, which only makes a value less precise)."""
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

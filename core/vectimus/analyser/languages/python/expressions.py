"""Expressions of Python's abstract evaluation: values folded where they are constant, calls into known
libraries handed to ``library``, comprehensions, lambdas; ``Evaluator`` adds the statements."""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from vectimus.analyser.languages import folding
from vectimus.analyser.languages import values as V
from vectimus.analyser.languages.evaluation import (
    CHECK_MASK, MAX_EVAL_DEPTH, USER_CALLABLES, Evaluation, Frame, Function,
)
from vectimus.analyser.languages.python import library, narrowing
from vectimus.analyser.languages.python.library import REF_ATTRIBUTES, qualified
from vectimus.analyser.languages.values import ALTS, CONST, DICT, ENV, OBJ, REF, SEQ, Val

Name, Constant, Starred = ast.Name, ast.Constant, ast.Starred
MAX_ITEMS = 256          # items a comprehension is evaluated for, one by one


class Expressions(Evaluation):
    """Evaluates expressions; the statements, names and functions they reach are ``Evaluator``'s."""

    attr_taint: dict[str, int]   # attribute name -> taint stored under it

    def assign(self, target, value: Val) -> None:
        """Bind ``value`` to an assignment target."""
        raise NotImplementedError

    def define(self, node) -> Function:
        """A function (or lambda) defined by ``node`` in the current scope."""
        raise NotImplementedError

    def expr(self, node) -> Val:
        # ``enter`` inlined, and names and constants (half of all nodes) read here: this runs
        # for every expression node
        self.count = count = self.count + 1
        if not count & CHECK_MASK:
            self.tick()
        if self.depth >= MAX_EVAL_DEPTH:
            self.fx.give_up("nested too deeply to analyse")
            return V.unknown("a deeply nested expression")
        kind = type(node)
        if kind is Name:
            name = node.id
            frame = self.frame
            found = frame.env.get(name)  # (an environment holds Vals, never None)
            if found is not None:
                return found
            if frame.closure is None and name in self.globals:  # ``free_name``'s common case
                return self.globals[name]
            return self.name(name)
        if kind is Constant:
            return Val(CONST, node.value)
        self.depth += 1
        try:
            return EXPRESSIONS.get(kind, Expressions.e_other)(self, node)
        finally:
            self.depth -= 1

    def e_other(self, node) -> Val:
        """An expression no handler knows: unknown, carrying the taint of what it reads."""
        taint = 0
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                taint |= V.taint_of(self.expr(child))
        return V.unknown(type(node).__name__, taint)

    def e_attribute(self, node: ast.Attribute) -> Val:
        owner = self.expr(node.value)
        if owner.kind == REF:  # a module's name: the library's (the common case, without the detours)
            attr = node.attr
            qual = qualified(owner.value, attr)
            if attr[:2] != "__" and qual not in REF_ATTRIBUTES:  # ``ref_attribute``'s common case
                return Val(REF, qual)
            return library.ref_attribute(self, owner, attr)
        return self.attribute(owner, node.attr)

    def attribute(self, owner: Val, attr: str) -> Val:
        if owner.kind == V.ALTS:
            return V.alts([self.attribute(o, attr) for o in owner.value])
        found = self.user_attribute(owner, attr, "self") if owner.kind == OBJ else None
        if found is not None:
            return found
        result = library.attribute(self, owner, attr)
        if result is not None:
            return result
        if V.is_placeholder(owner) or (V.is_inert(owner) and owner.value.startswith(V.FROM_PARAMETER)):
            # from what a caller elsewhere passes: judged where that caller is seen
            return V.inert(f"{V.FROM_PARAMETER[1:]}.{attr}", V.taint_of(owner))
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
            if type(a) is Starred:
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
        kind = func.kind
        if kind == ALTS or (kind == OBJ and func.value[0] in USER_CALLABLES):  # the code's own, maybe
            result = self.call_user(func, args, kwargs)
            if result is not None:
                return result
        for value in args:  # callbacks: a function passed on may run
            if value.kind == OBJ and value.value[0] == "func":
                value.value[1].referenced = True
        for value in kwargs.values():
            if value.kind == OBJ and value.value[0] == "func":
                value.value[1].referenced = True
        if kind == ALTS and len(func.value) > 1:
            results = [library.call(self, f, args, dict(kwargs)) for f in func.value]
            return V.alts(results)
        return library.call(self, func, args, kwargs)

    def e_binop(self, node: ast.BinOp) -> Val:
        # Long chains of + (string building) are evaluated left to right without recursing.
        chain: list[ast.BinOp] = []
        left: ast.expr = node
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
        return V.unknown("an operation", V.taint_of(value) & (~ENV if isinstance(node.op, ast.Not) else ~0))

    def e_compare(self, node: ast.Compare) -> Val:
        """True or False: one bit of what it compares, never the environment it looks in."""
        taint = V.taint_of(self.expr(node.left), *[self.expr(c) for c in node.comparators])
        return V.unknown("a comparison", taint & ~ENV)

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
            if V.is_inert(value):  # a number padded, say
                return value
            return V.unknown("a formatted value", V.taint_of(value))
        if node.conversion == ord("r"):
            return library.builtin_repr(value)
        return library.to_str(value)

    def e_seq(self, node) -> Val:
        items: list[Val] = []
        for e in node.elts:
            if type(e) is Starred:
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
                self.frame.env.update(narrowing.narrowed(self, cond))  # `… for f in listdir() if f.endswith(x)`
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


# Names and constants are read by ``Expressions.expr`` itself.
EXPRESSIONS: dict[type, Callable[[Expressions, Any], Val]] = {
    ast.Attribute: Expressions.e_attribute, ast.Subscript: Expressions.e_subscript, ast.Slice: Expressions.e_slice, ast.Call: Expressions.e_call,
    ast.BinOp: Expressions.e_binop, ast.BoolOp: Expressions.e_boolop, ast.UnaryOp: Expressions.e_unaryop,
    ast.Compare: Expressions.e_compare, ast.IfExp: Expressions.e_ifexp, ast.JoinedStr: Expressions.e_joined,
    ast.FormattedValue: Expressions.e_formatted, ast.List: Expressions.e_seq, ast.Tuple: Expressions.e_seq,
    ast.Set: Expressions.e_seq, ast.Dict: Expressions.e_dict, ast.ListComp: Expressions.e_comprehension,
    ast.SetComp: Expressions.e_comprehension, ast.GeneratorExp: Expressions.e_comprehension,
    ast.DictComp: Expressions.e_comprehension, ast.Lambda: Expressions.e_lambda,
    ast.NamedExpr: Expressions.e_named, ast.Await: Expressions.e_await, ast.Yield: Expressions.e_yield,
    ast.YieldFrom: Expressions.e_yield, ast.Starred: Expressions.e_starred,
}

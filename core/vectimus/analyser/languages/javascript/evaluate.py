"""Abstract evaluation of a JavaScript/TypeScript syntax tree (tree-sitter): statements in order,
function declarations hoisted, values folded where they are constant, calls into known libraries
handed to ``library``, user functions and callbacks inlined (bounded).

The shared machinery (frames, inlining, branch merging, limits) is ``evaluation.Evaluation``; this
module maps tree-sitter's statement node types onto it (``expressions`` its expressions).
TypeScript's type syntax is skipped.
"""

from __future__ import annotations

import functools
import re

from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus.analyser.languages import folding
from vectimus.analyser.languages import values as V
from vectimus.analyser.languages.effects import Effects
from vectimus.analyser.languages.evaluation import Function, Klass
from vectimus.analyser.languages.javascript import library, narrowing, requires
from vectimus.analyser.languages.javascript.expressions import SKIP, TRANSPARENT, Expressions
from vectimus.analyser.languages.values import DICT, OBJ, SEQ, Val

_DECLARED = re.compile(r"\b(?:let|const|var)\s+([\w$]+)|([\w$]+)\s*(?:[-+*/%&|^]|\*\*|<<|>>>?|\?\?|\|\||&&)?=(?![=>])|"
                       r"\bfor\s*\(\s*(?:let|const|var)?\s*([\w$]+)")


class Evaluator(Expressions):
    """Evaluates one JavaScript/TypeScript program, recording its effects through ``fx``."""

    lang = "node"

    def __init__(self, an: Analysis, fx: Effects, code: Word, data: bytes, grammar: str = "node") -> None:
        super().__init__(an, fx)
        self.grammar = grammar
        self.code = code
        self.read(data)
        self.argv = library.script_argv(fx.cmd, code)
        self.inline = library.inline(fx.cmd, code)
        self.evals = 0  # eval() of known source nested here
        self.sources: dict[Function, tuple[bytes, Cmd]] = {}  # functions defined in eval()'d source

    def run(self, root) -> None:
        self.block(root.named_children)
        self.finish()

    # -- statements -------------------------------------------------------------------------------

    def block(self, body) -> None:
        body = list(body)
        for node in body:  # function declarations are hoisted
            if node.type in ("function_declaration", "generator_function_declaration"):
                name = node.child_by_field_name("name")
                if name is not None:
                    self.assign_name(self.text(name), V.obj("func", self.define(node)))
        for node in body:
            self.stmt(node)

    def stmt(self, node) -> None:
        try:
            if not self.enter():
                return
            kind = node.type
            if kind in SKIP or not node.is_named:
                return
            handler = STATEMENTS.get(kind)
            if handler is not None:
                handler(self, node)
            else:
                self.expr(node)
        finally:
            self.depth -= 1

    def s_expression(self, node) -> None:
        children = node.named_children
        if children:
            self.expr(children[0])

    def s_block(self, node) -> None:
        self.block(node.named_children)

    def s_declaration(self, node) -> None:
        for declarator in node.named_children:
            if declarator.type != "variable_declarator":
                continue
            value = declarator.child_by_field_name("value")
            target = declarator.child_by_field_name("name")
            self.assign(target, self.expr(value) if value is not None else V.NONE)

    def s_function(self, node) -> None:
        return None  # hoisted by block()

    def s_class(self, node) -> None:
        name = node.child_by_field_name("name")
        klass = self.klass(node)
        if name is not None:
            self.assign_name(self.text(name), klass)

    def s_if(self, node) -> None:
        condition = node.child_by_field_name("condition")
        self.expr(condition)
        alternative = node.child_by_field_name("alternative")
        bodies = [[node.child_by_field_name("consequence")], alternative.named_children if alternative is not None else []]
        guard = narrowing.guarded(self, condition, bodies[0][0]) if alternative is None else None
        narrowed = guard if guard is not None else narrowing.narrowed(self, condition)
        if not narrowed:
            self.branches(bodies)
        elif guard is not None:  # `if (!f.endsWith(".js")) continue;`: what follows sees the entries let through
            self.branches([bodies[0], []])
            self.frame.env.update(narrowed)
        else:  # the consequence sees the names as the test narrows them, the alternative as they were
            self.narrowed_branches(narrowed, bodies)

    def s_switch(self, node) -> None:
        self.expr(node.child_by_field_name("value"))
        body = node.child_by_field_name("body")
        cases = [[c for c in case.named_children if c.type not in ("switch_case_value",) and
                  c != case.child_by_field_name("value")] for case in body.named_children] if body else []
        self.branches(cases + [[]])

    def s_for(self, node) -> None:
        for field in ("initializer", "condition"):
            child = node.child_by_field_name(field)
            if child is not None:
                self.stmt(child)
        body = node.child_by_field_name("body")
        self.loop_entry(self.assigned(node))
        if body is not None:
            self.stmt(body)
        increment = node.child_by_field_name("increment")
        if increment is not None:
            self.expr(increment)

    def s_for_in(self, node) -> None:
        right = self.expr(node.child_by_field_name("right"))
        operator = node.child_by_field_name("operator")
        of = operator is not None and self.text(operator) == "of"
        self.loop_entry(self.assigned(node))
        if of:
            item = folding.element(right)
        elif right.kind == DICT and right.value:
            item = V.alts([k for k, _ in right.value])
        else:
            item = V.unknown("a key", right.taint)
        self.assign(node.child_by_field_name("left"), item)
        body = node.child_by_field_name("body")
        if body is not None:
            self.stmt(body)

    def s_while(self, node) -> None:
        condition = node.child_by_field_name("condition")
        if condition is not None:
            self.expr(condition)
        self.loop_entry(self.assigned(node))
        body = node.child_by_field_name("body")
        if body is not None:
            self.stmt(body)

    def s_try(self, node) -> None:
        before = dict(self.frame.env)
        self.stmt(node.child_by_field_name("body"))
        self.merge_into([before, dict(self.frame.env)])
        handler = node.child_by_field_name("handler")
        if handler is not None:
            param = handler.child_by_field_name("parameter")
            if param is not None:
                self.assign(param, V.unknown("an error"))
            self.branches([[handler.child_by_field_name("body")], []])
        finalizer = node.child_by_field_name("finalizer")
        if finalizer is not None:
            self.block(finalizer.named_children)

    def s_return(self, node) -> None:
        value = node.named_children[0] if node.named_children else None
        self.frame.returns.append(self.expr(value) if value is not None else V.NONE)

    def s_import(self, node) -> None:
        source = node.child_by_field_name("source")
        module = library.module_name(self.string(source)) if source is not None else None
        requires.follow(self, self.string(source) if source is not None else None)
        for clause in node.named_children:
            if clause.type != "import_clause":
                continue
            for part in clause.named_children:
                if part.type == "identifier":  # default import
                    self.assign_name(self.text(part), library.default_export(module))
                elif part.type == "namespace_import":
                    ident = [c for c in part.named_children if c.type == "identifier"]
                    if ident:
                        self.assign_name(self.text(ident[0]), V.ref(module) if module else V.unknown("a module"))
                elif part.type == "named_imports":
                    for spec in part.named_children:
                        name = spec.child_by_field_name("name")
                        alias = spec.child_by_field_name("alias") or name
                        if name is None:
                            continue
                        value = V.ref(library.canonical(f"{module}.{self.string(name)}")) if module \
                            else V.unknown("an import")
                        self.assign_name(self.text(alias), value)

    def s_export(self, node) -> None:
        for child in node.named_children:
            self.stmt(child)

    def s_with(self, node) -> None:
        """``with (require('child_process')) execSync(…)``: the names in the body may be the
        object's members, which a risky module's are code nobody can read here."""
        obj = node.child_by_field_name("object")
        if obj is not None and library.any_member(self.expr(obj)) is not None:
            self.fx.dynamic("node with")
        body = node.child_by_field_name("body")
        if body is not None:
            self.stmt(body)

    def s_labeled(self, node) -> None:
        body = node.child_by_field_name("body")
        if body is not None:
            self.stmt(body)

    def assigned(self, loop) -> set[str]:
        """Names a loop's source may assign (read off its text: a superset)."""
        return assigned_names(self.text(loop))

    # -- assignment -------------------------------------------------------------------------------

    def assign(self, target, value: Val) -> None:
        if target is None:
            return
        kind = target.type
        if kind in ("identifier", "shorthand_property_identifier_pattern", "shorthand_property_identifier"):
            self.assign_name(self.text(target), value)
        elif kind == "object_pattern":
            for part in target.named_children:
                if part.type in ("shorthand_property_identifier_pattern", "shorthand_property_identifier"):
                    self.assign_name(self.text(part), self.member(value, self.text(part)))
                elif part.type == "pair_pattern":
                    key = self.property_name(part.child_by_field_name("key"))
                    self.assign(part.child_by_field_name("value"),
                                self.member(value, key) if key is not None else V.unknown("a property", value.taint))
                elif part.type == "object_assignment_pattern":
                    left = part.child_by_field_name("left")
                    name = self.text(left)
                    self.assign(left, V.alts([self.member(value, name), self.expr(part.child_by_field_name("right"))]))
                elif part.type == "rest_pattern":
                    self.assign(part.named_children[0] if part.named_children else None, value)
        elif kind == "array_pattern":
            items = [c for c in target.named_children]
            for i, part in enumerate(items):
                if part.type == "rest_pattern":
                    rest = V.Val(SEQ, list(value.value[i:])) if value.kind == SEQ else \
                        V.unknown("the rest", value.taint)
                    self.assign(part.named_children[0] if part.named_children else None, rest)
                else:
                    self.assign(part, folding.subscript_index(value, i))
        elif kind == "assignment_pattern":
            default = self.expr(target.child_by_field_name("right"))
            self.assign(target.child_by_field_name("left"), V.alts([value, default]))
        elif kind == "member_expression":
            owner = self.expr(target.child_by_field_name("object"))
            prop = target.child_by_field_name("property")
            name = self.text(prop) if prop is not None else ""
            self.store(owner, V.const(name), value, target.child_by_field_name("object"))
        elif kind == "subscript_expression":
            owner = self.expr(target.child_by_field_name("object"))
            index = self.expr(target.child_by_field_name("index"))
            self.store(owner, index, value, target.child_by_field_name("object"))
        elif kind in TRANSPARENT and target.named_children:
            self.assign(target.named_children[0], value)

    def store(self, owner: Val, key: Val, value: Val, owner_node) -> None:
        if owner.kind == OBJ and owner.value[0] == "inst" and key.is_str:
            owner.value[1]["attrs"][key.value] = value
        elif owner.kind in (SEQ, DICT):
            folding.set_item(owner, key, value)
        if V.taint_of(value) and owner_node is not None and owner_node.type == "identifier":
            old = self.lookup(self.text(owner_node))
            if old is not None and old.kind != V.REF:
                self.assign_name(self.text(owner_node), old.tainted(V.taint_of(value)))

    # -- functions and classes --------------------------------------------------------------------

    def define(self, node) -> Function:
        fn = Function(node, self.closure())
        self.functions.append(fn)
        if self.evals:  # its nodes' text is the evaluated source's, wherever it is called from
            self.sources[fn] = self.data, self.fx.cmd
        return fn

    def invoke(self, fn: Function, self_val: Val | None, args: list[Val], kwargs: dict[str, Val],
               generic: bool = False) -> Val:
        source = self.sources.get(fn)
        if source is None or source[0] is self.data:
            return super().invoke(fn, self_val, args, kwargs, generic)
        outer = self.data, self.fx.cmd
        self.read(source[0])
        self.fx.cmd = source[1]
        try:
            return super().invoke(fn, self_val, args, kwargs, generic)
        finally:
            self.read(outer[0])
            self.fx.cmd = outer[1]

    def klass(self, node) -> Val:
        attrs: dict[str, Val] = {}
        body = node.child_by_field_name("body")
        klass = Klass(self.text(node.child_by_field_name("name")) if node.child_by_field_name("name") else "", attrs)
        for member in body.named_children if body is not None else []:
            if member.type == "method_definition":
                name = self.property_name(member.child_by_field_name("name")) or "?"
                fn = self.define(member)
                fn.klass = klass
                attrs[name] = V.obj("func", fn)
            elif member.type in ("field_definition", "public_field_definition"):
                value = member.child_by_field_name("value")
                if value is not None:
                    self.expr(value)
        return V.obj("class", klass)

    def bind(self, fn: Function, self_val: Val | None, args: list[Val], kwargs: dict[str, Val],
             generic: bool) -> dict:
        node = fn.node
        env: dict[str, Val] = {}
        if self_val is not None:
            env["this"] = self_val
        elif fn.klass is not None:
            env["this"] = V.obj("inst", {"class": fn.klass, "attrs": {}, "generic": True})
        params = node.child_by_field_name("parameters") or node.child_by_field_name("parameter")
        if params is None:
            return env
        plist = [params] if params.type == "identifier" else list(params.named_children)
        for i, p in enumerate(plist):
            if p.type in ("required_parameter", "optional_parameter"):
                pattern = p.child_by_field_name("pattern")
                default = p.child_by_field_name("value")
            else:
                pattern, default = p, None
            if pattern is not None and pattern.type == "rest_pattern":
                value = self.unbound(fn, "...args") if generic else V.seq(args[i:])
                self.bind_pattern(env, pattern.named_children[0] if pattern.named_children else None, value)
                break
            if generic:
                value = self.unbound(fn, self.text(pattern) if pattern is not None else "?")
            elif i < len(args):
                value = args[i]
            elif default is not None:
                value = self.expr(default)
            else:
                value = V.NONE
            self.bind_pattern(env, pattern, value)
        return env

    def unbound(self, fn: Function, name: str) -> Val:
        """A parameter of a function evaluated without a caller (see ``values.placeholder``)."""
        return V.unknown(f"an argument for {name}") if fn.overflowed else V.placeholder(name)

    def bind_pattern(self, env: dict, pattern, value: Val) -> None:
        if pattern is None:
            return
        if pattern.type == "identifier":
            env[self.text(pattern)] = value
            return
        if pattern.type == "assignment_pattern":
            left = pattern.child_by_field_name("left")
            if left is not None and left.type == "identifier":
                env[self.text(left)] = value if value is not V.NONE else self.expr(pattern.child_by_field_name("right"))
            return
        saved = self.frame.env
        self.frame.env = env
        try:
            self.assign(pattern, value)
        finally:
            self.frame.env = saved

    def run_body(self, fn: Function) -> bool:
        node = fn.node
        body = node.child_by_field_name("body")
        if body is None:
            return False
        if body.type == "statement_block":
            self.block(body.named_children)
        else:  # an arrow function's expression
            self.frame.returns.append(self.expr(body))
        return "generator" in node.type or (node.type == "method_definition" and
                                            self.text(node).lstrip().startswith(("*", "async *")))





@functools.lru_cache(maxsize=256)
def assigned_names(source: str) -> set[str]:
    """Names the source of a loop may assign (kept per text: loops written alike are common; the
    set is shared, never changed)."""
    names: set[str] = set()
    for m in _DECLARED.finditer(source):
        names.update(g for g in m.groups() if g)
    return names


STATEMENTS = {
    "expression_statement": Evaluator.s_expression, "statement_block": Evaluator.s_block, "lexical_declaration": Evaluator.s_declaration,
    "variable_declaration": Evaluator.s_declaration, "function_declaration": Evaluator.s_function,
    "generator_function_declaration": Evaluator.s_function, "class_declaration": Evaluator.s_class,
    "if_statement": Evaluator.s_if, "switch_statement": Evaluator.s_switch, "for_statement": Evaluator.s_for,
    "for_in_statement": Evaluator.s_for_in, "while_statement": Evaluator.s_while, "do_statement": Evaluator.s_while,
    "try_statement": Evaluator.s_try, "return_statement": Evaluator.s_return, "import_statement": Evaluator.s_import,
    "export_statement": Evaluator.s_export, "labeled_statement": Evaluator.s_labeled,
    "with_statement": Evaluator.s_with,
}

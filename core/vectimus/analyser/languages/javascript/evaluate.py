"""Abstract evaluation of a JavaScript/TypeScript syntax tree (tree-sitter): statements in order,
function declarations hoisted, values folded where they are constant, calls into known libraries
handed to ``library``, user functions and callbacks inlined (bounded).

The shared machinery (frames, inlining, branch merging, limits) is ``evaluation.Evaluation``; this
module maps tree-sitter node types onto it. TypeScript's type syntax is skipped.
"""

from __future__ import annotations

import re

from vectimus.analyser.context import MAX_COMMAND_BYTES, MAX_DEPTH, Analysis, Word
from vectimus.analyser.languages import folding
from vectimus.analyser.languages import values as V
from vectimus.analyser.languages.effects import Effects
from vectimus.analyser.languages.evaluation import Evaluation, Function, Klass
from vectimus.analyser.languages.javascript import library
from vectimus.analyser.languages.javascript.parse import parse
from vectimus.analyser.languages.values import CONST, DICT, OBJ, SEQ, Val

# Nodes that are only types (TypeScript) or carry nothing the analysis needs.
SKIP = {"comment", "type_annotation", "type_alias_declaration", "interface_declaration", "type_arguments",
        "type_parameters", "abstract_class_declaration", "ambient_declaration", "empty_statement",
        "hash_bang_line", "debugger_statement", "enum_declaration"}
TRANSPARENT = {"parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression",
               "type_assertion", "await_expression", "expression_statement", "spread_element"}
FUNCTIONS = {"function_declaration", "generator_function_declaration", "function_expression", "function",
             "arrow_function", "generator_function", "method_definition"}
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]{1,6}\}|u[0-9a-fA-F]{4}|[0-7]{1,3}|\n|.)", re.S)
_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
_DECLARED = re.compile(r"\b(?:let|const|var)\s+([\w$]+)|([\w$]+)\s*(?:[-+*/%&|^]|\*\*|<<|>>>?|\?\?|\|\||&&)?=(?![=>])|"
                       r"\bfor\s*\(\s*(?:let|const|var)?\s*([\w$]+)")


class Evaluator(Evaluation):
    """Evaluates one JavaScript/TypeScript program, recording its effects through ``fx``."""

    lang = "node"

    def __init__(self, an: Analysis, fx: Effects, code: Word, data: bytes, grammar: str = "node") -> None:
        super().__init__(an, fx)
        self.grammar = grammar
        self.code = code
        self.data = data
        self.argv = library.script_argv(fx.cmd, code)
        self.inline = library.inline(fx.cmd, code)
        self.evals = 0  # eval() of known source nested here

    def text(self, node) -> str:
        return self.data[node.start_byte:node.end_byte].decode("utf-8", "replace")

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
        self.expr(node.child_by_field_name("condition"))
        alternative = node.child_by_field_name("alternative")
        self.branches([[node.child_by_field_name("consequence")],
                       alternative.named_children if alternative is not None else []])

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

    def s_labeled(self, node) -> None:
        body = node.child_by_field_name("body")
        if body is not None:
            self.stmt(body)

    def assigned(self, loop) -> set[str]:
        """Names a loop's source may assign (read off its text: a superset)."""
        names = set()
        for m in _DECLARED.finditer(self.text(loop)):
            names.update(g for g in m.groups() if g)
        return names

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
            key = self.expr(target.child_by_field_name("index"))
            self.store(owner, key, value, target.child_by_field_name("object"))
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
        return fn

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

    # -- expressions ------------------------------------------------------------------------------

    def expr(self, node) -> Val:
        if node is None:
            return V.NONE
        try:
            if not self.enter():
                return V.unknown("a deeply nested expression")
            kind = node.type
            handler = EXPRESSIONS.get(kind)
            if handler is not None:
                return handler(self, node)
            if kind in TRANSPARENT:
                children = node.named_children
                return self.expr(children[0]) if children else V.NONE
            if kind in FUNCTIONS:
                return V.obj("func", self.define(node))
            if kind in SKIP:
                return V.NONE
            taint = 0
            for child in node.named_children:
                taint |= V.taint_of(self.expr(child))
            return V.unknown(kind, taint)
        finally:
            self.depth -= 1

    def string(self, node) -> str:
        """The value of a string literal node."""
        parts = []
        for child in node.named_children:
            if child.type == "string_fragment":
                parts.append(self.text(child))
            elif child.type == "escape_sequence":
                parts.append(unescape(self.text(child)))
        if not node.named_children:
            raw = self.text(node)
            return raw[1:-1] if len(raw) >= 2 and raw[0] in "'\"" else raw
        return "".join(parts)

    def e_string(self, node) -> Val:
        return V.const(self.string(node))

    def e_template(self, node) -> Val:
        return self.template(node, folding.to_text)

    def template(self, node, substitution) -> Val:
        """A template string's text; each ``${…}`` value passed through ``substitution``."""
        parts = []
        for child in node.named_children:
            if child.type == "string_fragment":
                parts.append(V.const(self.text(child)))
            elif child.type == "escape_sequence":
                parts.append(V.const(unescape(self.text(child))))
            elif child.type == "template_substitution":
                inner = child.named_children
                parts.append(substitution(self.expr(inner[0]) if inner else V.const("")))
        return V.concat(parts)

    def e_number(self, node) -> Val:
        text = self.text(node).replace("_", "").rstrip("n")
        try:
            if text[:2].lower() in ("0x", "0o", "0b"):
                return V.const(int(text, 0))
            value = float(text)
            return V.const(int(value) if value.is_integer() and abs(value) < 2**53 else value)
        except ValueError:
            return V.unknown("a number")

    def e_literal(self, node) -> Val:
        return V.const({"true": True, "false": False}.get(node.type))

    def e_identifier(self, node) -> Val:
        name = self.text(node)
        found = self.lookup(name)
        if found is not None:
            return found
        return library.global_name(self, name)

    def e_this(self, node) -> Val:
        return self.lookup("this") or V.unknown("this")

    def e_array(self, node) -> Val:
        return V.Val(SEQ, self.items(node))

    def items(self, node) -> list[Val]:
        """The values of an array literal's or a call's elements, spreads expanded where known."""
        out: list[Val] = []
        for child in node.named_children:
            if child.type == "spread_element":
                value = self.expr(child.named_children[0]) if child.named_children else V.NONE
                out.extend(value.value if value.kind == SEQ else [V.unknown("items", V.taint_of(value))])
            elif child.type != "comment":
                out.append(self.expr(child))
        return out

    def e_object(self, node) -> Val:
        pairs: list[list[Val]] = []
        for child in node.named_children:
            if child.type == "pair":
                key = self.property_name(child.child_by_field_name("key"))
                pairs.append([V.const(key) if key is not None else V.unknown("a key"),
                              self.expr(child.child_by_field_name("value"))])
            elif child.type == "shorthand_property_identifier":
                pairs.append([V.const(self.text(child)), self.e_identifier(child)])
            elif child.type == "spread_element":
                value = self.expr(child.named_children[0]) if child.named_children else V.NONE
                if value.kind == DICT:
                    pairs.extend(list(p) for p in value.value)
                else:
                    pairs.append([V.unknown("spread"), value])
            elif child.type == "method_definition":
                key = self.property_name(child.child_by_field_name("name"))
                pairs.append([V.const(key or "?"), V.obj("func", self.define(child))])
        return V.Val(DICT, pairs)

    def property_name(self, node) -> str | None:
        if node is None:
            return None
        if node.type in ("property_identifier", "identifier", "private_property_identifier",
                         "shorthand_property_identifier_pattern"):
            return self.text(node)
        if node.type == "string":
            return self.string(node)
        if node.type == "number":
            return self.text(node)
        if node.type == "computed_property_name":
            value = self.expr(node.named_children[0]) if node.named_children else V.NONE
            return folding.text(value)
        return None

    def e_member(self, node) -> Val:
        owner = self.expr(node.child_by_field_name("object"))
        prop = node.child_by_field_name("property")
        return self.member(owner, self.text(prop) if prop is not None else "")

    def member(self, owner: Val, name: str) -> Val:
        if owner.kind == V.ALTS:
            return V.alts([self.member(o, name) for o in owner.value])
        if owner.kind == OBJ:
            kind, data = owner.value
            if kind == "inst":
                if name in data["attrs"]:
                    return data["attrs"][name]
                found = data["class"].attrs.get(name)
                if found is not None:
                    if found.kind == OBJ and found.value[0] == "func":
                        return V.obj("bound", (found.value[1], owner))
                    return found
                if data.get("generic"):  # an instance a caller elsewhere set up
                    return V.placeholder(f"this.{name}")
            elif kind == "class":
                found = data.attrs.get(name)
                if found is not None:
                    return found
        return library.member(self, owner, name)

    def e_subscript(self, node) -> Val:
        owner = self.expr(node.child_by_field_name("object"))
        key = self.expr(node.child_by_field_name("index"))
        if key.is_str:
            return self.member(owner, key.value)
        return folding.subscript_value(owner, key)

    def arguments(self, node) -> list[Val]:
        if node is None:
            return []
        if node.type == "template_string":  # a tagged template
            return [self.tagged(node)]
        return self.items(node)

    def tagged(self, node) -> Val:
        """A tagged template's text, interpolations as single quoted shell words (Bun's $ and zx
        quote them), kept as an object the tag's handler reads."""
        return V.obj("template", self.template(node, library.shell_quoted))

    def e_call(self, node) -> Val:
        func_node = node.child_by_field_name("function")
        args = self.arguments(node.child_by_field_name("arguments"))
        if func_node is not None and func_node.type == "import":  # import('child_process')
            name = folding.text(args[0]) if args else None
            return V.ref(library.module_name(name)) if name is not None else V.obj("anymodule", None)
        func = self.expr(func_node)
        return self.call(func, args)

    def e_new(self, node) -> Val:
        func = self.expr(node.child_by_field_name("constructor"))
        args = self.arguments(node.child_by_field_name("arguments"))
        return self.call(func, args)

    def call(self, func: Val, args: list[Val]) -> Val:
        result = self.call_user(func, args, {})
        if result is not None:
            return result
        if len(V.options(func)) > 1:
            return V.alts([library.call(self, f, args) for f in V.options(func)])
        return library.call(self, func, args)

    def run_source(self, source: Val, via: str) -> Val:
        """Code the program builds and evaluates (``eval``, ``new Function``, ``vm``): known text is
        run here, in the same scope; unknown text is dynamic."""
        results = []
        for option in V.options(source):
            text = folding.text(option) if option.kind == CONST else None
            if text is None:
                if not V.is_placeholder(option):
                    self.fx.dynamic(via)
                continue
            if len(text) > MAX_COMMAND_BYTES or self.evals >= MAX_DEPTH:
                self.fx.give_up("code evaluated too deeply or too long to analyse")
                continue
            data = text.encode("utf-8", "surrogatepass")
            root = parse(self.an, self.grammar, data)
            if root.has_error:
                self.fx.give_up("evaluated code with a syntax error")
            outer = self.fx.cmd, self.data
            self.fx.cmd = outer[0].with_words(outer[0].words, via=via)
            self.data = data
            self.evals += 1
            try:
                body = root.named_children
                if len(body) == 1 and body[0].type == "expression_statement" and body[0].named_children:
                    results.append(self.expr(body[0].named_children[0]))
                else:
                    self.block(body)
            finally:
                self.evals -= 1
                self.fx.cmd, self.data = outer
        return V.alts(results) if results else V.unknown("an evaluated value", V.taint_of(source))

    def callback(self, fn: Val, args: list[Val]) -> Val:
        """Run a function the code handed to a library (a callback, a ``then``): with ``args``."""
        if fn.kind == OBJ and fn.value[0] in ("func", "bound"):
            return self.call_user(fn, args, {}) or V.NONE
        return V.unknown("a callback's result", V.taint_of(*args))

    def e_assignment(self, node) -> Val:
        value = self.expr(node.child_by_field_name("right"))
        self.assign(node.child_by_field_name("left"), value)
        return value

    def e_augmented(self, node) -> Val:
        left = node.child_by_field_name("left")
        current = self.expr(left)
        right = self.expr(node.child_by_field_name("right"))
        operator = node.child_by_field_name("operator")
        op = self.text(operator) if operator is not None else ""
        if op == "+=":
            value = library.binary(current, "+", right)
        elif op in ("||=", "??=", "&&="):
            value = V.alts([current, right])
        else:
            value = V.unknown("an operation", V.taint_of(current, right))
        self.assign(left, value)
        return value

    def e_binary(self, node) -> Val:
        # Long chains of + (string building) are evaluated left to right without recursing.
        chain = []
        left = node
        while left.type == "binary_expression" and len(chain) < 10_000:
            chain.append(left)
            left = left.child_by_field_name("left")
        value = self.expr(left)
        for op_node in reversed(chain):
            operator = op_node.child_by_field_name("operator")
            op = self.text(operator) if operator is not None else ""
            right = self.expr(op_node.child_by_field_name("right"))
            value = V.alts([value, right]) if op in ("||", "??", "&&") else library.binary(value, op, right)
        return value

    def e_ternary(self, node) -> Val:
        self.expr(node.child_by_field_name("condition"))
        return V.alts([self.expr(node.child_by_field_name("consequence")),
                       self.expr(node.child_by_field_name("alternative"))])

    def e_sequence(self, node) -> Val:
        value = V.NONE
        for child in node.named_children:
            value = self.expr(child)
        return value

    def e_unary(self, node) -> Val:
        argument = node.child_by_field_name("argument")
        value = self.expr(argument)
        operator = node.child_by_field_name("operator")
        op = self.text(operator) if operator is not None else ""
        if op == "-" and folding.number(value):
            return V.const(-value.value)
        if op == "typeof":
            return V.unknown("a type name")
        return V.unknown("an operation", V.taint_of(value))

    def e_class(self, node) -> Val:
        return self.klass(node)

    def e_yield(self, node) -> Val:
        if node.named_children:
            self.frame.returns.append(self.expr(node.named_children[0]))
        return V.unknown("a sent value")


def unescape(seq: str) -> str:
    """A JavaScript escape sequence's character."""
    m = _ESCAPE.fullmatch(seq)
    if m is None:
        return seq
    body = m.group(1)
    if body[0] in "xu" and len(body) > 1:
        digits = body[1:].strip("{}")
        try:
            return chr(int(digits, 16))
        except (ValueError, OverflowError):
            return ""
    if body[0] in "01234567" and body != "0":
        return chr(int(body, 8) & 0xFF)
    if body == "\n":
        return ""
    return _SIMPLE.get(body, body)


STATEMENTS = {
    "statement_block": Evaluator.s_block, "lexical_declaration": Evaluator.s_declaration,
    "variable_declaration": Evaluator.s_declaration, "function_declaration": Evaluator.s_function,
    "generator_function_declaration": Evaluator.s_function, "class_declaration": Evaluator.s_class,
    "if_statement": Evaluator.s_if, "switch_statement": Evaluator.s_switch, "for_statement": Evaluator.s_for,
    "for_in_statement": Evaluator.s_for_in, "while_statement": Evaluator.s_while, "do_statement": Evaluator.s_while,
    "try_statement": Evaluator.s_try, "return_statement": Evaluator.s_return, "import_statement": Evaluator.s_import,
    "export_statement": Evaluator.s_export, "labeled_statement": Evaluator.s_labeled,
}
EXPRESSIONS = {
    "string": Evaluator.e_string, "template_string": Evaluator.e_template, "number": Evaluator.e_number,
    "true": Evaluator.e_literal, "false": Evaluator.e_literal, "null": Evaluator.e_literal,
    "undefined": Evaluator.e_literal, "identifier": Evaluator.e_identifier, "this": Evaluator.e_this,
    "array": Evaluator.e_array, "object": Evaluator.e_object, "member_expression": Evaluator.e_member,
    "subscript_expression": Evaluator.e_subscript, "call_expression": Evaluator.e_call,
    "new_expression": Evaluator.e_new, "assignment_expression": Evaluator.e_assignment,
    "augmented_assignment_expression": Evaluator.e_augmented, "binary_expression": Evaluator.e_binary,
    "ternary_expression": Evaluator.e_ternary, "sequence_expression": Evaluator.e_sequence,
    "unary_expression": Evaluator.e_unary, "class": Evaluator.e_class, "yield_expression": Evaluator.e_yield,
    "shorthand_property_identifier": Evaluator.e_identifier,
}

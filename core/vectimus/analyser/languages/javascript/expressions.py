"""Expressions of JavaScript/TypeScript's abstract evaluation (tree-sitter nodes): values folded where
they are constant, calls into known libraries handed to ``library``, code the program builds and
evaluates; ``evaluate.Evaluator`` adds the statements, assignments and functions."""

from __future__ import annotations

import re

from vectimus.analyser.context import MAX_COMMAND_BYTES, MAX_DEPTH
from vectimus.analyser.languages import folding
from vectimus.analyser.languages import values as V
from vectimus.analyser.languages.evaluation import CHECK_MASK, MAX_EVAL_DEPTH, USER_CALLABLES, Evaluation, Function
from vectimus.analyser.languages.javascript import library, requires
from vectimus.analyser.languages.javascript.parse import parse
from vectimus.analyser.languages.values import CONST, DICT, OBJ, REF, SEQ, Val

# Nodes that are only types (TypeScript) or carry nothing the analysis needs.
SKIP = {"comment", "type_annotation", "type_alias_declaration", "interface_declaration", "type_arguments",
        "type_parameters", "abstract_class_declaration", "ambient_declaration", "empty_statement",
        "hash_bang_line", "debugger_statement", "enum_declaration"}
TRANSPARENT = {"parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression",
               "type_assertion", "await_expression", "expression_statement", "spread_element"}
FUNCTIONS = {"function_declaration", "generator_function_declaration", "function_expression", "function",
             "arrow_function", "generator_function", "method_definition"}
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]{1,6}\}|u[0-9a-fA-F]{4}|[0-7]{1,3}|\n|.)", re.S)
_LITERALS = {"true": True, "false": False}  # null and undefined are None
_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


class Expressions(Evaluation):
    """Evaluates expressions; the statements, assignments and functions they reach are ``Evaluator``'s."""

    data: bytes         # the program's source
    chars: str | None   # … as text, when it is ASCII
    grammar: str        # "node" or "typescript"
    evals: int          # eval() of known source nested here

    def text(self, node) -> str:
        """The source text of ``node``."""
        chars = self.chars
        if chars is not None:
            return chars[node.start_byte:node.end_byte]
        return self.data[node.start_byte:node.end_byte].decode("utf-8", "replace")

    def read(self, data: bytes) -> None:
        """Read nodes' text from ``data`` from now on (ASCII source is sliced as text: its byte
        offsets are its character offsets)."""
        self.data = data
        self.chars = data.decode("ascii") if data.isascii() else None

    def assign(self, target, value: Val) -> None:
        """Bind ``value`` to an assignment target (a name, a member, a pattern)."""
        raise NotImplementedError

    def define(self, node) -> Function:
        """A function defined by ``node`` in the current scope."""
        raise NotImplementedError

    def klass(self, node) -> Val:
        """A class defined by ``node``."""
        raise NotImplementedError

    def expr(self, node) -> Val:
        if node is None:
            return V.NONE
        # ``enter`` inlined, and names read here: this runs for every expression node
        self.count = count = self.count + 1
        if not count & CHECK_MASK:
            self.tick()
        if self.depth >= MAX_EVAL_DEPTH:
            self.fx.give_up("nested too deeply to analyse")
            return V.unknown("a deeply nested expression")
        kind = node.type
        if kind == "identifier":
            chars = self.chars  # ``text`` inlined
            name = chars[node.start_byte:node.end_byte] if chars is not None else self.text(node)
            env = self.frame.env
            return env[name] if name in env else self.free_name(name)
        self.depth += 1
        try:
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
        return V.const(_LITERALS.get(node.type))

    def e_identifier(self, node) -> Val:
        return self.name(self.text(node))

    def name(self, name: str) -> Val:
        """What ``name`` holds here: the code's own, or a platform global."""
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
            kind = child.type
            if kind == "spread_element":
                value = self.expr(child.named_children[0]) if child.named_children else V.NONE
                out.extend(value.value if value.kind == SEQ else [V.unknown("items", V.taint_of(value))])
            elif kind != "comment":
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
        name = self.text(prop) if prop is not None else ""
        if owner.kind == REF:  # the platform's (the common case, without the detours)
            return library.member(self, owner, name)
        return self.member(owner, name)

    def member(self, owner: Val, name: str) -> Val:
        if owner.kind == V.ALTS:
            return V.alts([self.member(o, name) for o in owner.value])
        found = self.user_attribute(owner, name, "this")
        return found if found is not None else library.member(self, owner, name)

    def e_subscript(self, node) -> Val:
        owner = self.expr(node.child_by_field_name("object"))
        key = self.expr(node.child_by_field_name("index"))
        if key.is_str:
            return self.member(owner, key.value)
        if owner.kind == V.UNKNOWN and owner.item is not None and owner.item.kind == OBJ \
                and owner.item.value == ("anyattr", library.ANY_MEMBER):  # Object.values(cp)[0]
            return owner.item
        return library.any_member(owner) or folding.subscript_value(owner, key)

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
            requires.follow(self, folding.text(args[0]) if args else None)
            name = library.module_name(folding.text(args[0]) if args else None)
            return V.ref(name) if name is not None else V.obj("anymodule", None)
        func = self.expr(func_node)
        return self.call(func, args)

    def e_new(self, node) -> Val:
        func = self.expr(node.child_by_field_name("constructor"))
        args = self.arguments(node.child_by_field_name("arguments"))
        return self.call(func, args)

    def call(self, func: Val, args: list[Val]) -> Val:
        if func.kind == V.ALTS or (func.kind == OBJ and func.value[0] in USER_CALLABLES):  # the code's own, maybe
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
            self.read(data)
            self.evals += 1
            try:
                body = root.named_children
                if len(body) == 1 and body[0].type == "expression_statement" and body[0].named_children:
                    results.append(self.expr(body[0].named_children[0]))
                else:
                    self.block(body)
            finally:
                self.evals -= 1
                self.fx.cmd = outer[0]
                self.read(outer[1])
        return V.alts(results) if results else V.unknown("an evaluated value", V.taint_of(source))

    def callback(self, fn: Val, args: list[Val]) -> Val:
        """Run a function the code handed to a library (a callback, a ``then``): with ``args``."""
        if fn.kind == OBJ and fn.value[0] in ("func", "bound"):
            return self.call_user(fn, args, {}) or V.NONE
        if fn.kind == REF or (fn.kind == OBJ and fn.value[0] == "boundfn"):  # .then(eval), .forEach(execSync)
            return library.call(self, fn, args)
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
        chain: list = []
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
        return V.unknown("an operation", V.taint_of(value) & (~V.ENV if op == "!" else ~0))

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


# Identifiers are read by ``Expressions.expr`` itself.
EXPRESSIONS = {
    "string": Expressions.e_string, "template_string": Expressions.e_template, "number": Expressions.e_number,
    "true": Expressions.e_literal, "false": Expressions.e_literal, "null": Expressions.e_literal,
    "undefined": Expressions.e_literal, "this": Expressions.e_this,
    "array": Expressions.e_array, "object": Expressions.e_object, "member_expression": Expressions.e_member,
    "subscript_expression": Expressions.e_subscript, "call_expression": Expressions.e_call,
    "new_expression": Expressions.e_new, "assignment_expression": Expressions.e_assignment,
    "augmented_assignment_expression": Expressions.e_augmented, "binary_expression": Expressions.e_binary,
    "ternary_expression": Expressions.e_ternary, "sequence_expression": Expressions.e_sequence,
    "unary_expression": Expressions.e_unary, "class": Expressions.e_class, "yield_expression": Expressions.e_yield,
    "shorthand_property_identifier": Expressions.e_identifier,
}

"""JavaScript tests that narrow a listed name (see ``languages.narrowing``): a name's
``endsWith``/``startsWith`` and ``path.extname(name) ===`` an extension, alone or joined by
``&&``, in an ``if`` or a ``.filter`` callback; ``!name.startsWith(".")``.
"""

from __future__ import annotations

from vectimus.analyser.languages.narrowing import narrow, texts
from vectimus.analyser.languages.values import OBJ, Val

TESTS = {"endsWith": "endswith", "startsWith": "startswith"}


def narrowed(ev, node) -> dict[str, Val]:
    """{name: its value where the condition ``node`` holds}, for the listed names it narrows."""
    node = _bare(node)
    if node is None:
        return {}
    if node.type == "binary_expression" and _operator(ev, node) == "&&":
        out = narrowed(ev, node.child_by_field_name("left"))
        out.update(narrowed(ev, node.child_by_field_name("right")))
        return out
    found = test(ev, node)
    if found is None:
        return {}
    name, how, given = found
    value = ev.lookup(name)
    result = narrow(value, how, texts(ev.expr(given))) if value is not None else None
    return {name: result} if result is not None else {}


JUMPS = ("continue_statement", "return_statement", "break_statement", "throw_statement")


def guarded(ev, condition, consequence) -> dict[str, Val] | None:
    """``if (!test) continue;`` (or return, break, throw): the names ``test`` narrows, as the rest of
    the block sees them; None when the ``if`` is not such a guard."""
    node = _bare(condition)
    last = consequence.named_children[-1] if consequence.type == "statement_block" and consequence.named_children \
        else consequence
    if node is None or last.type not in JUMPS:
        return None
    if node.type != "unary_expression" or _operator(ev, node) != "!":  # `if (f.startsWith(".")) continue;`
        found = test(ev, node)
        value = ev.lookup(found[0]) if found and found[1] == "startswith" else None
        result = narrow(value, "not_startswith", texts(ev.expr(found[2]))) if value is not None else None
        return {found[0]: result} if result is not None else None
    return narrowed(ev, node.child_by_field_name("argument")) or None


def filtered(ev, item: Val, callback: Val) -> Val | None:
    """The items ``.filter(callback)`` keeps of a listing whose entries are ``item``: narrowed
    when the callback returns a test of its parameter; None when it says nothing."""
    if callback.kind != OBJ or callback.value[0] != "func":
        return None
    fn = callback.value[1].node
    params = fn.child_by_field_name("parameter") or fn.child_by_field_name("parameters")
    body = fn.child_by_field_name("body")
    if params is None or body is None:
        return None
    first = params if params.type == "identifier" else next(iter(params.named_children), None)
    if first is not None and first.type == "required_parameter":
        first = first.child_by_field_name("pattern")
    if body.type == "statement_block":
        statements = body.named_children
        body = statements[0].named_children[0] if len(statements) == 1 and statements[0].type == "return_statement" \
            and statements[0].named_children else None
    found = test(ev, _bare(body)) if first is not None and first.type == "identifier" and body is not None else None
    if found is None or found[0] != ev.text(first):
        return None
    return narrow(item, found[1], texts(ev.expr(found[2])))


def test(ev, node):
    """(name, how, the node giving what it must match) for a condition read here, else None."""
    if node is None:
        return None
    if node.type == "unary_expression" and _operator(ev, node) == "!":  # !f.startsWith("."): not hidden
        found = test(ev, _bare(node.child_by_field_name("argument")))
        return (found[0], "not_startswith", found[2]) if found and found[1] == "startswith" else None
    if node.type == "call_expression":
        func, args = node.child_by_field_name("function"), node.child_by_field_name("arguments")
        given = args.named_children if args is not None else []
        if func is not None and func.type == "member_expression" and len(given) == 1:
            owner, prop = func.child_by_field_name("object"), func.child_by_field_name("property")
            how = TESTS.get(ev.text(prop)) if prop is not None else None
            if how and owner is not None and owner.type == "identifier":
                return ev.text(owner), how, given[0]
    if node.type == "binary_expression" and _operator(ev, node) in ("===", "=="):
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is not None and left.type == "call_expression" and ev.text(left.child_by_field_name("function")) \
                in ("path.extname", "extname"):
            args = left.child_by_field_name("arguments")
            named = args.named_children if args is not None else []
            if len(named) == 1 and named[0].type == "identifier":
                return ev.text(named[0]), "endswith", right
    return None


def _bare(node):
    while node is not None and node.type == "parenthesized_expression" and node.named_children:
        node = node.named_children[0]
    return node


def _operator(ev, node) -> str:
    op = node.child_by_field_name("operator")
    return ev.text(op) if op is not None else ""

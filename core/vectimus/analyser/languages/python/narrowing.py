"""Python tests that narrow a listed name (see ``languages.narrowing``): a name's (or a path's
``.name``'s) ``endswith``/``startswith``, ``fnmatch.fnmatch``, ``PurePath.match``, and a path's
``.suffix ==`` / ``in``, alone or joined by ``and``; ``not name.startswith(".")``.
"""

from __future__ import annotations

import ast

from vectimus.analyser.languages.narrowing import narrow, texts
from vectimus.analyser.languages.values import Val


def narrowed(ev, test) -> dict[str, Val]:
    """{name: its value where ``test`` holds}, for the listed names ``test`` narrows."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        out: dict[str, Val] = {}
        for part in test.values:
            out.update(narrowed(ev, part))
        return out
    found = _test(test)
    if found is None:
        return {}
    name, how, node = found
    value = ev.lookup(name)
    if value is None:
        return {}
    given = texts(ev.expr(node))
    result = narrow(value, how, given) if given else None
    return {name: result} if result is not None else {}


def _test(test):
    """(name, how, the node or texts giving what it must match) for a test this module reads."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):  # not f.startswith("."): not hidden
        found = _test(test.operand)
        return (found[0], "not_startswith", found[2]) if found and found[1] == "startswith" else None
    if isinstance(test, ast.Call) and isinstance(test.func, ast.Attribute) and len(test.args) == 1:
        func, owner = test.func, test.func.value
        if func.attr in ("endswith", "startswith"):
            if isinstance(owner, ast.Attribute) and owner.attr == "name":
                owner = owner.value
            if isinstance(owner, ast.Name):
                return owner.id, func.attr, test.args[0]
        if func.attr == "match" and isinstance(owner, ast.Name):  # PurePath.match("*.py")
            return owner.id, "fnmatch", test.args[0]
    if isinstance(test, ast.Call) and len(test.args) == 2 and isinstance(test.args[0], ast.Name) and (
            isinstance(test.func, ast.Attribute) and test.func.attr in ("fnmatch", "fnmatchcase")
            or isinstance(test.func, ast.Name) and test.func.id in ("fnmatch", "fnmatchcase")):
        return test.args[0].id, "fnmatch", test.args[1]
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.left, ast.Attribute) \
            and test.left.attr == "suffix" and isinstance(test.left.value, ast.Name):
        op, right = test.ops[0], test.comparators[0]
        if isinstance(op, (ast.Eq, ast.In)):
            return test.left.value.id, "endswith", right
    return None

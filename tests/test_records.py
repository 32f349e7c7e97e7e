"""vectimus.records.Record: what typing.NamedTuple makes, built without compiling anything."""

from __future__ import annotations

import copy
import pickle
import subprocess
import sys
from typing import NamedTuple

import pytest

from vectimus import records
from vectimus.records import Record


class Point(Record):
    """A point."""

    x: int
    y: int = 0
    label: str | None = None

    def moved(self, dx: int) -> Point:
        return self._replace(x=self.x + dx)


class TypedPoint(NamedTuple):
    x: int
    y: int = 0
    label: str | None = None


CALLS = [((1,), {}), ((1, 2), {}), ((1, 2, "a"), {}), ((), {"x": 1}), ((1,), {"label": "b"}),
         ((), {"label": None, "x": 3, "y": 4}), ((1, 2), {"label": [1]})]
BAD_CALLS = [((), {}), ((1, 2, 3, 4), {}), ((1,), {"x": 2}), ((1,), {"z": 2}), ((), {"y": 1})]


def fresh_class():
    """A Record class of its own, so each test sees its constructor from its first instance."""
    class Fresh(Record):
        x: int
        y: int = 0
        label: str | None = None
    return Fresh


def test_a_record_behaves_as_the_named_tuple_typing_makes():
    mine, theirs = Point(1, label="a"), TypedPoint(1, label="a")
    assert mine == theirs == (1, 0, "a") and hash(mine) == hash(theirs)
    assert Point._fields == TypedPoint._fields == ("x", "y", "label")
    assert Point._field_defaults == TypedPoint._field_defaults == {"y": 0, "label": None}
    assert Point.__match_args__ == ("x", "y", "label")
    assert mine._asdict() == theirs._asdict() and Point._make([1, 0, "a"]) == mine
    assert repr(mine) == "Point(x=1, y=0, label='a')" and repr(theirs) == "TypedPoint(x=1, y=0, label='a')"
    assert mine.moved(2) == Point(3, 0, "a") and type(mine.moved(2)) is Point
    assert Point.__doc__ == "A point." and fresh_class().__doc__ == "Fresh(x, y, label)"
    assert Point.__module__ == __name__ and Point.__qualname__ == "Point"
    assert Point.__annotations__ == {"x": "int", "y": "int", "label": "str | None"}  # as written
    assert isinstance(mine, tuple) and not hasattr(mine, "__dict__")
    assert pickle.loads(pickle.dumps(mine)) == mine and copy.deepcopy(mine) == mine and copy.copy(mine) == mine
    x, y, label = mine
    assert (x, y, label) == (1, 0, "a")
    match mine:
        case Point(1, 0, label=found):
            assert found == "a"
    with pytest.raises(AttributeError):
        mine.x = 2  # type: ignore[misc]
    with pytest.raises(ValueError):
        mine._replace(z=1)
    with pytest.raises(TypeError):
        Point._make([1, 2])


def test_every_call_binds_as_a_compiled_constructor_binds_it_before_and_after_the_class_compiles_one():
    cls = fresh_class()
    for round_ in range(records.COMPILE_AFTER + 2):
        compiled = "__new__" in vars(cls)
        assert compiled == (round_ * len(CALLS) >= records.COMPILE_AFTER)
        for args, kwargs in CALLS:
            assert cls(*args, **dict(kwargs)) == TypedPoint(*args, **kwargs), (compiled, args, kwargs)
        for args, kwargs in BAD_CALLS:
            with pytest.raises(TypeError):
                cls(*args, **kwargs)
            with pytest.raises(TypeError):
                TypedPoint(*args, **kwargs)
    assert copy.deepcopy(cls(5)) == (5, 0, None)


def test_what_a_record_class_may_not_be():
    with pytest.raises(TypeError, match="follows one with a default"):
        class Late(Record):
            a: int = 0
            b: int
    with pytest.raises(AttributeError, match="_replace"):
        class Own(Record):
            a: int

            def _replace(self, **changes):  # type: ignore[override]
                return self
    with pytest.raises(TypeError, match="Record alone"):
        class Mixed(Record, int):  # type: ignore[misc]
            a: int
    with pytest.raises(ValueError, match="underscore"):
        class Hidden(Record):
            _a: int


def test_creating_record_classes_compiles_nothing():
    # typing.NamedTuple compiles each string annotation (the first compile in a process also sets up
    # the compiler's syntax-tree classes) and namedtuple each class's constructor; a Record neither
    code = """if True:
        import sys, json, pathlib, re, typing  # the standard library's own named tuples come with these
        compiled = []
        sys.addaudithook(lambda event, args: event == "compile" and args[1] == "<string>" and compiled.append(args[0]))
        import vectimus.model, vectimus.analyser.context, vectimus.adapter, vectimus.hook.record
        print(compiled)
    """
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

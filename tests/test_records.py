"""vectimus.records.Record: the class typing.NamedTuple makes, without checking its annotations."""

from __future__ import annotations

import copy
import pickle
import subprocess
import sys
from typing import NamedTuple

import pytest

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


def test_a_record_behaves_as_the_named_tuple_typing_makes():
    mine, theirs = Point(1, label="a"), TypedPoint(1, label="a")
    assert mine == theirs == (1, 0, "a") and hash(mine) == hash(theirs)
    assert Point._fields == TypedPoint._fields == ("x", "y", "label")
    assert Point._field_defaults == TypedPoint._field_defaults == {"y": 0, "label": None}
    assert Point.__match_args__ == ("x", "y", "label")
    assert mine._asdict() == theirs._asdict() and Point._make([1, 0, "a"]) == mine
    assert repr(mine) == "Point(x=1, y=0, label='a')" and repr(theirs) == "TypedPoint(x=1, y=0, label='a')"
    assert mine.moved(2) == Point(3, 0, "a") and type(mine.moved(2)) is Point
    assert Point.__doc__ == "A point." and Point.__module__ == __name__ and Point.__qualname__ == "Point"
    assert Point.__annotations__ == {"x": "int", "y": "int", "label": "str | None"}  # as written
    assert isinstance(mine, tuple) and not hasattr(mine, "__dict__")
    assert pickle.loads(pickle.dumps(mine)) == mine and copy.deepcopy(mine) == mine
    x, y, label = mine
    assert (x, y, label) == (1, 0, "a")
    with pytest.raises(TypeError):
        Point()
    with pytest.raises(TypeError):
        Point(1, z=2)
    with pytest.raises(AttributeError):
        mine.x = 2  # type: ignore[misc]


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


def test_importing_the_model_compiles_no_annotation():
    # typing.NamedTuple compiles each string annotation (and the first compile in a process sets up
    # the compiler's syntax-tree classes); a Record class compiles only its constructor.
    code = """if True:
        import sys
        compiled = []
        sys.addaudithook(lambda event, args: event == "compile" and args[1] == "<string>" and compiled.append(args[0]))
        import vectimus.model, vectimus.analyser.context, vectimus.adapter, vectimus.hook.record
        print([s for s in compiled if not bytes(s).startswith(b"lambda _cls")])
    """
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

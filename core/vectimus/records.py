"""``Record``: ``typing.NamedTuple`` without what it costs a process to create its classes.

A ``typing.NamedTuple`` class checks each field's annotation as a type when it is created, and
under ``from __future__ import annotations`` that compiles each one (the process's first compile
also sets up the compiler's syntax-tree classes, over a millisecond): with some thirty such
classes, a tenth of an in-process hook call. ``class Word(Record):`` is written as a NamedTuple
is (annotated fields, defaults last, methods) and makes the same ``collections.namedtuple`` class,
its annotations kept as written. Type checkers see ``typing.NamedTuple`` itself.
Standard library only: used on the hot path.
"""

from collections import namedtuple

TYPE_CHECKING = False  # what type checkers take as true (typing.TYPE_CHECKING, without importing typing)

if TYPE_CHECKING:
    from typing import NamedTuple as Record
else:
    # What namedtuple makes, which a class body may not replace (as typing.NamedTuple refuses).
    _OWN = frozenset(("__new__", "__init__", "__slots__", "__getnewargs__", "_fields", "_field_defaults",
                      "_make", "_replace", "_asdict", "_source"))

    class _RecordType(type):
        def __new__(mcs, name, bases, namespace):
            if not bases:  # Record itself
                return super().__new__(mcs, name, bases, namespace)
            if bases != (Record,):
                raise TypeError(f"{name}: a Record class derives from Record alone")
            annotations = namespace.get("__annotations__", {})
            defaulted = [field for field in annotations if field in namespace]
            if list(annotations)[len(annotations) - len(defaulted):] != defaulted:
                raise TypeError(f"{name}: a field without a default follows one with a default")
            cls = namedtuple(name, annotations, defaults=[namespace[f] for f in defaulted],
                             module=namespace["__module__"])
            for key, value in namespace.items():
                if key in _OWN:
                    raise AttributeError(f"{name}: a Record class cannot define {key}")
                if key not in annotations and key not in ("__module__", "__annotations__"):
                    setattr(cls, key, value)
            cls.__annotations__ = annotations
            return cls

    class Record(metaclass=_RecordType):
        """Base of named tuple classes: ``class Name(Record):`` with annotated fields, as ``typing.NamedTuple``."""

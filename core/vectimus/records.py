"""``Record``: named tuples whose classes cost a process next to nothing to create.

``typing.NamedTuple`` checks each field's annotation as a type (under postponed annotations it
compiles each one, and a process's first compile also sets up the compiler's syntax-tree classes),
and ``collections.namedtuple`` compiles each class's constructor from source: with some thirty
classes on the hook path, together several milliseconds of every in-process hook call.

``class Word(Record):`` is written as a ``typing.NamedTuple`` is (annotated fields, defaults last,
methods; type checkers see ``typing.NamedTuple`` itself) and makes a tuple subclass that behaves
as the named tuple would: a read-only property per field, ``_fields``, ``_field_defaults``,
``__match_args__``, ``_make``, ``_replace``, ``_asdict``, its ``repr``, copying and pickling. It is
built without compiling anything: a class's first instances are made by one constructor shared by
every Record, which binds the arguments in Python (a few microseconds each), and its
``COMPILE_AFTER``-th instance compiles the class's own constructor, as ``namedtuple`` does, so a
class made often (a long analysis, the resident evaluator) pays that once, and one made a few
times per call never does.
Standard library only: used on the hot path.
"""

TYPE_CHECKING = False  # what type checkers take as true (typing.TYPE_CHECKING, without importing typing)

if TYPE_CHECKING:
    from typing import NamedTuple as Record
else:
    from collections import _tuplegetter  # the field property namedtuple uses (C, or its fallback)

    COMPILE_AFTER = 32  # instances made through the shared constructor before a class compiles its own
    # What a Record class has, which its body may not replace (as typing.NamedTuple refuses).
    _OWN = frozenset(("__new__", "__init__", "__slots__", "__getnewargs__", "_fields", "_field_defaults",
                      "_make", "_replace", "_asdict", "_source"))
    _MISSING = object()
    _made: dict[type, int] = {}  # instances each class made through the shared constructor

    class _RecordType(type):
        def __new__(mcs, name, bases, namespace):
            if bases == (tuple,):  # Record itself
                return super().__new__(mcs, name, bases, namespace)
            if bases != (Record,):
                raise TypeError(f"{name}: a Record class derives from Record alone")
            annotations = namespace.get("__annotations__", {})
            fields = tuple(annotations)
            defaulted = [field for field in fields if field in namespace]
            if list(fields[len(fields) - len(defaulted):]) != defaulted:
                raise TypeError(f"{name}: a field without a default follows one with a default")
            if any(field.startswith("_") for field in fields):
                raise ValueError(f"{name}: field names cannot start with an underscore")
            own = sorted(_OWN.intersection(namespace))
            if own:
                raise AttributeError(f"{name}: a Record class cannot define {own[0]}")
            body = {key: value for key, value in namespace.items() if key not in annotations}
            body.setdefault("__doc__", f"{name}({', '.join(fields)})")
            body.update(__slots__=(), _fields=fields, __match_args__=fields,
                        _field_defaults={field: namespace[field] for field in defaulted})
            for index, field in enumerate(fields):
                body[field] = _tuplegetter(index, f"Alias for field number {index}")
            return super().__new__(mcs, name, bases, body)

    class Record(tuple, metaclass=_RecordType):
        """Base of named tuple classes: ``class Name(Record):`` with annotated fields, as ``typing.NamedTuple``."""

        __slots__ = ()
        _fields: tuple[str, ...] = ()
        _field_defaults: dict = {}

        def __new__(cls, *args, **kwargs):
            if kwargs or len(args) != len(cls._fields):
                args = _bind(cls, args, kwargs)
            made = _made.get(cls, 0) + 1
            _made[cls] = made
            if made >= COMPILE_AFTER:
                cls.__new__ = _compiled_new(cls)
            return tuple.__new__(cls, args)

        @classmethod
        def _make(cls, iterable):
            """A new instance from a sequence or iterable of all its fields."""
            result = tuple.__new__(cls, iterable)
            if len(result) != len(cls._fields):
                raise TypeError(f"Expected {len(cls._fields)} arguments, got {len(result)}")
            return result

        def _replace(self, /, **changes):
            """A new instance with the fields ``changes`` names replaced."""
            result = self._make(map(changes.pop, self._fields, self))
            if changes:
                raise ValueError(f"Got unexpected field names: {list(changes)!r}")
            return result

        def __repr__(self):
            return f"{type(self).__name__}({', '.join(f'{f}={v!r}' for f, v in zip(self._fields, self))})"

        def _asdict(self):
            """A new dict of the fields by name."""
            return dict(zip(self._fields, self))

        def __getnewargs__(self):
            return tuple(self)

    def _bind(cls, args: tuple, kwargs: dict) -> list:
        """The fields' values from a call's arguments, as a compiled constructor would bind them."""
        fields = cls._fields
        if len(args) > len(fields):
            raise TypeError(f"{cls.__name__}() takes {len(fields)} arguments but {len(args)} were given")
        values = list(args)
        for field in fields[len(args):]:
            value = kwargs.pop(field, _MISSING)
            if value is _MISSING:
                value = cls._field_defaults.get(field, _MISSING)
                if value is _MISSING:
                    raise TypeError(f"{cls.__name__}() missing required argument: {field!r}")
            values.append(value)
        if kwargs:
            raise TypeError(f"{cls.__name__}() got an unexpected keyword argument {next(iter(kwargs))!r}")
        return values

    def _compiled_new(cls):
        """The class's own constructor, compiled as ``collections.namedtuple`` compiles one."""
        names = ", ".join(cls._fields)
        new = eval(f"lambda _cls, {names}: _tuple_new(_cls, ({names},))",
                   {"_tuple_new": tuple.__new__, "__builtins__": {}})
        new.__defaults__ = tuple(cls._field_defaults.values()) or None
        new.__name__, new.__qualname__ = "__new__", f"{cls.__qualname__}.__new__"
        return staticmethod(new)

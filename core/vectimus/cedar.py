"""cedarpy, imported for evaluation without paying for what evaluation never uses.

The ``cedarpy`` package eagerly imports ``cedarpy.pst`` (typed policy-syntax-tree classes: about
20 ms of class creation, a tenth of a hook process). Vectimus evaluates and validates through the
Rust extension and never touches the PST, so a stand-in module takes its place in
``sys.modules`` and executes the real one the first time any of its names is used.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
import types


class _Deferred(types.ModuleType):
    """A module that executes ``spec`` on first attribute use and then behaves as that module."""

    def __init__(self, spec: importlib.machinery.ModuleSpec):
        super().__init__(spec.name)
        self.__dict__["_spec"] = spec

    def __getattr__(self, attr: str):
        spec = self.__dict__["_spec"]
        real = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = real
        spec.loader.exec_module(real)
        self.__dict__.update(real.__dict__)
        return getattr(real, attr)


def cedarpy():
    """The ``cedarpy`` module, with ``cedarpy.pst`` executed only when used."""
    if "cedarpy" not in sys.modules:
        package = importlib.util.find_spec("cedarpy")
        locations = list(package.submodule_search_locations or []) if package else []
        spec = importlib.machinery.PathFinder.find_spec("cedarpy.pst", locations) if locations else None
        if spec is not None and spec.loader is not None:
            sys.modules["cedarpy.pst"] = _Deferred(spec)
    import cedarpy as module

    return module

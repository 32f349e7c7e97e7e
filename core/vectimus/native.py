"""The native extensions evaluation runs on, imported without the Python around them it never uses.

- ``cedarpy`` eagerly imports ``cedarpy.pst`` (typed policy-syntax-tree classes: about 20 ms of
  class creation, a tenth of a hook process). Vectimus evaluates and validates through the Rust
  extension and never touches the PST, so a stand-in module takes its place in ``sys.modules`` and
  executes the real one the first time any of its names is used.
- The grammar packages (``tree_sitter_bash``, ``_javascript``, ``_typescript``, ``_make``) import
  ``importlib.resources`` (and with it ``tempfile``, about 5 ms) to read highlighting queries; the
  grammar itself comes straight from its binding.
- ``cryptography``'s Ed25519 key classes are declared in its ``primitives`` package, whose
  serialization and hash modules (about 2 ms) signing never uses: the keys come straight from its
  native module.
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


def _submodule_spec(package: str, name: str) -> importlib.machinery.ModuleSpec | None:
    """The spec of ``package.name``, found without executing ``package/__init__.py``."""
    found = importlib.util.find_spec(package)
    locations = list(found.submodule_search_locations or []) if found else []
    spec = importlib.machinery.PathFinder.find_spec(f"{package}.{name}", locations) if locations else None
    return spec if spec is not None and spec.loader is not None else None


def cedarpy():
    """The ``cedarpy`` module, with ``cedarpy.pst`` executed only when used."""
    if "cedarpy" not in sys.modules:
        spec = _submodule_spec("cedarpy", "pst")
        if spec is not None:
            sys.modules["cedarpy.pst"] = _Deferred(spec)
    import cedarpy as module

    return module


def grammar(package: str, function: str = "language"):
    """A tree-sitter grammar from its package's binding, without the package's ``__init__`` (which
    imports ``importlib.resources`` for highlighting queries): ``grammar("tree_sitter_bash")``,
    ``grammar("tree_sitter_typescript", "language_tsx")``."""
    name = f"{package}._binding"
    binding = sys.modules.get(name)
    spec = None if binding is not None else _submodule_spec(package, "_binding")
    if spec is not None and spec.loader is not None:
        binding = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(binding)
        sys.modules[spec.name] = binding
    if binding is None:  # laid out differently: the package's own way
        binding = importlib.import_module(package)
    return getattr(binding, function)()


def bash_language():
    """The bash grammar for ``tree_sitter.Language`` (what ``tree_sitter_bash.language()`` returns)."""
    return grammar("tree_sitter_bash")


def ed25519():
    """``cryptography``'s Ed25519 keys: ``from_private_bytes``, ``from_public_bytes``,
    ``generate_key`` and the key classes ``Ed25519PrivateKey`` / ``Ed25519PublicKey``, from its native
    module (what ``cryptography.hazmat.primitives.asymmetric.ed25519`` returns and registers)."""
    try:
        from cryptography.hazmat.bindings._rust import openssl

        native = openssl.ed25519
        if all(hasattr(native, name) for name in _ED25519):
            return native
    except (ImportError, AttributeError):
        pass
    return ed25519_public()  # laid out differently: the package's own way


_ED25519 = ("from_private_bytes", "from_public_bytes", "generate_key", "Ed25519PrivateKey", "Ed25519PublicKey")


def ed25519_public():
    """What ``ed25519()`` gives, through ``cryptography``'s public classes."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

    return types.SimpleNamespace(from_private_bytes=Ed25519PrivateKey.from_private_bytes,
                                 from_public_bytes=Ed25519PublicKey.from_public_bytes,
                                 generate_key=Ed25519PrivateKey.generate, Ed25519PrivateKey=Ed25519PrivateKey,
                                 Ed25519PublicKey=Ed25519PublicKey)

"""Windows spellings of paths and payloads, shared by the PowerShell analyser and ``cmd /c``:
drive paths (``C:\\Users\\x``), registry keys as paths under ``/registry/<hive>/`` (so a Run key is a
persistence write), the ``Env:`` drive listed whole, and ``-EncodedCommand``'s base64 of UTF-16LE.
Standard library only: used on the hot path.
"""

from __future__ import annotations

import base64
import binascii
import re

from vectimus.analyser.context import Word


def windows_path(word: Word) -> Word:
    """A quoted ``'C:\\Users\\x'`` names the same path as the bare word does."""
    if re.match(r"^[A-Za-z]:[\\/]", word.text):
        return word._replace(text=posix(word.text))
    return word


def posix(path: str) -> str:
    """``C:\\Users\\x`` -> ``/Users/x`` (drive letters dropped), backslashes to slashes."""
    path = path.replace("\\", "/")
    return re.sub(r"^[A-Za-z]:(?=/|$)", "", path) or "/"


def decode(data: str, wide: bool = True) -> str | None:
    """Base64 text as ``-EncodedCommand`` carries it (UTF-16LE), or UTF-8 when not ``wide``."""
    try:
        raw = base64.b64decode("".join(data.split()), validate=True)
        return raw.decode("utf-16-le" if wide else "utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None


# -- registry and the Env: drive ----------------------------------------------------------------

HIVES = {"hkcu": "hkcu", "hkey_current_user": "hkcu", "hklm": "hklm", "hkey_local_machine": "hklm",
         "hkcr": "hkcr", "hkey_classes_root": "hkcr", "hku": "hku", "hkey_users": "hku",
         "hkcc": "hkcc", "hkey_current_config": "hkcc"}


def registry_path(text: str) -> str | None:
    """``HKCU:\\Software\\…``, ``Registry::HKEY_CURRENT_USER\\…``, ``HKLM\\…`` -> ``/registry/hkcu/…``."""
    t = text.replace("\\", "/")
    t = re.sub(r"^(?:microsoft\.powershell\.core\\)?registry::", "", t, flags=re.I).lstrip("/")
    head, sep, rest = t.partition("/")
    hive = HIVES.get(head.rstrip(":").lower())
    if hive is None:
        return None
    return f"/registry/{hive}/{rest}".rstrip("/")


def registry(word: Word) -> Word:
    """A registry key as its ``/registry/…`` path; any other word as it is."""
    path = registry_path(word.text)
    return word if path is None else Word(path, word.dynamic)


def is_env_drive(text: str) -> bool:
    """``Env:``, ``env:\\``, ``Env:*``, ``env:*KEY*``: the environment listed (not one variable)."""
    lower = text.lower()
    if not lower.startswith("env:"):
        return False
    rest = lower[4:].lstrip("/\\")
    return not rest or "*" in rest or "?" in rest

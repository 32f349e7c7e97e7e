"""TOML text parsed once per content: the config files and pack manifests every hook call reads.

Importing ``tomllib`` (with ``datetime``, ``string`` and ``typing``'s compile of its annotations)
and parsing a dozen small files cost an in-process hook call about 6 ms. What a text parses to
depends on the text alone (and the interpreter's ``tomllib``), so it is kept as JSON in the
user's cache directory, named by the Python version and the text's SHA-256
(``~/.vectimus/cache/toml-3.11-<digest>.json``, protected from the agent with the rest of the
Vectimus home), and read back with ``json``, which the hook has loaded anyway. A document
holding dates or times, which JSON does not hold, is parsed every time.
Standard library only: used on the hot path.
"""

from __future__ import annotations

import json
import sys

from vectimus import atomic
from vectimus.locations import user_home
from vectimus.sha256 import sha256


class TomlError(ValueError):
    """The text is not valid TOML; the message is ``tomllib``'s."""


def loads(text: str) -> dict:
    """What ``tomllib.loads(text)`` returns (a fresh table each call)."""
    digest = sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    path = user_home() / "cache" / f"toml-{sys.version_info[0]}.{sys.version_info[1]}-{digest[:32]}.json"
    try:
        kept = json.loads(path.read_bytes())
    except (OSError, ValueError):
        kept = None
    if isinstance(kept, dict):
        return kept
    import tomllib

    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TomlError(str(exc)) from exc
    if _plain(parsed):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic.write(path, json.dumps(parsed))
        except OSError:
            pass  # an unwritable cache: parsed again next time
    return parsed


def _plain(value) -> bool:
    """Whether ``value`` comes back from JSON as it went in (no dates or times)."""
    if isinstance(value, dict):
        return all(_plain(v) for v in value.values())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return isinstance(value, (str, int, float))  # bool is an int

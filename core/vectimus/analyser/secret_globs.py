"""Whether a file-name glob picks credential files: by its text (``.env*``, ``id_*``, ``*.pem``),
or, for a read at hook time, by the files it matches now (``cat .e*`` in a project holding
``.env``). A glob for a file type (``*.json``, ``*.yml``) picks that type's files: a credential
file among them is matched by chance, not selected, so Grep over ``*.json`` stays ordinary.
Standard library only: used on the hot path.
"""

from __future__ import annotations

import fnmatch
import re

from vectimus.paths import GLOB_CHARS, is_secret_path

# Names a glob is tried against to tell whether it selects credential files.
SAMPLES = (".env", ".env.local", ".env.production", "id_rsa", "id_ed25519", "credentials", "key.pem",
           "server.key", ".npmrc", ".pypirc", ".netrc", ".pgpass", "secrets.yml", "terraform.tfstate",
           "credentials.tfrc.json", ".git-credentials", "login data", "logins.json", ".bash_history")
# … and ordinary names: a glob matching one of these too (``*``, ``.e*``, ``.git*``, ``id*``) picks
# ordinary files as well, and selects credential files only by the files it matches now.
ORDINARY = (".gitignore", ".gitattributes", ".editorconfig", ".eslintrc.json", "README.md", "package.json", "config.yml", "settings.json", "id.txt", "index.js", "keys.py",
            "server.py", "credits.md", ".bashrc", ".profile", "Makefile", "data.json")
CREDENTIAL_DIRS = (".ssh", ".aws", ".gnupg", ".kube", ".azure", ".docker", ".password-store")
MAX_MATCHES = 256  # files a read's glob is matched against at hook time
_WILD = re.compile(r"[*?]|\[[^\]]*\]")
_FILE_TYPE = re.compile(r"\.[a-z0-9_+-]+")


def selects_secret(pattern: str) -> bool:
    """True when a file-name glob (its last component) names credential files: ``.env``-like,
    ``**/*.pem``, ``id_*``; not a file type's glob (``*.json``) that a credential file may share,
    nor one that picks ordinary files as well."""
    head, _, last = pattern.rstrip("/").lower().rpartition("/")
    if _in_credential_dir(head, last):
        return True
    if not any(c in GLOB_CHARS or c == "{" for c in last):
        return is_secret_path("/" + last, "/nonexistent-home")
    options = [last]
    if "{" in last and "}" in last:  # *.{pem,key}
        head, _, rest = last.partition("{")
        body, _, tail = rest.partition("}")
        options = [head + o + tail for o in body.split(",")]
    return any(_names_secret(o) for o in options)


def _in_credential_dir(head: str, last: str) -> bool:
    """A directory glob that picks a credential directory (``~/.ss*/id*``, ``~/.*/credentials``),
    the files under it credentials as they are there (a glob naming more than the dot: ``*`` skips
    dotted names, and ``.*`` picks any)."""
    if not head or "." not in head:
        return False
    parts = head.split("/")
    for i, part in enumerate(parts):
        if part.startswith(".") and not GLOB_CHARS.isdisjoint(part) and len(_WILD.sub("", part)) > 1:
            for folder in CREDENTIAL_DIRS:
                if fnmatch.fnmatchcase(folder, part) and is_secret_path(
                        "/".join([*parts[:i], folder, *parts[i + 1:], last]), "/nonexistent-home"):
                    return True
    return False


def _names_secret(option: str) -> bool:
    literal = _WILD.sub("", option)
    if option.startswith("*") and _FILE_TYPE.fullmatch(literal) and not is_secret_path("/x" + literal, "/nonexistent-home"):
        return False  # a file type: *.json, *.y?ml
    return any(fnmatch.fnmatchcase(name, option) for name in SAMPLES) and \
        not any(fnmatch.fnmatchcase(name.lower(), option) for name in ORDINARY)


def secrets_matching(pattern: str, home: str) -> list[str]:
    """The credential files the absolute glob ``pattern`` matches now (as the shell matches it:
    a leading ``*`` skips dotfiles), at most ``MAX_MATCHES`` tried."""
    from vectimus import world

    return [p for p in world.glob(pattern, limit=MAX_MATCHES) if is_secret_path(p, home)]

"""Resolve a path as a tool call names it and classify it into the facts policies test.

Names are matched case-insensitively (``.ENV`` is a secret on a case-insensitive file system).
Standard library only: used on the hot path.
"""

from __future__ import annotations

import functools
import itertools
import os
import posixpath
import re
import stat
from collections.abc import Mapping

from vectimus import protected, world
from vectimus.home_places import CACHE_HOME, PERSISTENCE_ABSOLUTE, PERSISTENCE_HOME
from vectimus.model import PathFacts
from vectimus.records import Record

SECRET_NAMES = {
    ".netrc", "_netrc", ".pgpass", ".npmrc", ".pypirc", ".git-credentials", ".vault-token",
    ".boto", ".s3cfg", ".htpasswd", ".dockercfg", "credentials", "credentials.json",
    "credentials.db", "access_tokens.db", "application_default_credentials.json",
    "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk",
    "secrets.yml", "secrets.yaml", "secrets.json", "secret.json", "master.key",
    "terraform.tfstate", "terraform.tfstate.backup", ".terraformrc", "terraform.rc",
    "kubeconfig", "keystore.jks", ".keystore", "wp-config.php", "shadow", "gshadow",
    ".envrc", ".yarnrc.yml", "secrets.toml", ".secrets", "environ", ".bash_history",
    ".zsh_history", ".history", ".sh_history", ".python_history", ".psql_history", ".mysql_history",
    ".node_repl_history", ".rediscli_history", ".sqlite_history", "credentials.tfrc.json",
    "login data", "login data for account", "logins.json", "key3.db", "key4.db",
    "cookies.sqlite", "web data",
}
SECRET_EXTS = {".pem", ".key", ".p12", ".pfx", ".jks", ".keystore", ".ppk", ".asc", ".gpg",
               ".tfvars", ".tfstate", ".kdbx", ".ovpn"}
# Directories (relative to home) whose every file is a credential.
SECRET_HOME_DIRS = (".ssh/", ".aws/", ".gnupg/", ".kube/", ".docker/config.json", ".azure/",
                    ".config/gcloud/", ".config/gh/hosts.yml", ".config/hub", ".password-store/",
                    ".local/share/keyrings/", ".mozilla/", ".config/google-chrome/",
                    ".config/chromium/", ".terraform.d/credentials.tfrc.json",
                    ".config/bravesoftware/", ".config/microsoft-edge/", ".local/share/fish/fish_history",
                    "library/application support/google/chrome/", "library/keychains/",
                    "library/application support/firefox/", "library/cookies/", ".config/op/",
                    ".config/heroku/", ".netlify/", ".config/doctl/", ".fly/", ".config/helm/repositories.yaml")
PUBLIC_SSH = ("known_hosts", "known_hosts.old", "config", "authorized_keys")
ENV_TEMPLATES = {"example", "sample", "template", "dist", "defaults", "schema", "test.example"}

# Absolute locations whose every file is a credential (Kubernetes service-account tokens…).
SECRET_ABSOLUTE = ("/var/run/secrets/", "/run/secrets/", "/etc/ssl/private/")
SYSTEM_DIRS = ("/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/opt",
               "/proc", "/root", "/sbin", "/srv", "/sys", "/usr", "/var", "/snap", "/nix",
               "/system", "/library", "/applications", "/private", "/mnt", "/media")
GLOB_CHARS = set("*?[")
# A last path component that matches every (or every hidden) entry of its directory.
_WHOLE_DIR_GLOB = r"^(\.?\*+|\.?\[[!^]\.\]\*|\.\?\?\*|\.\.\?\*|\{\*,\.\*\})$"  # compiled for the first glob


class Places(Record):
    """The fixed points paths are classified against (all absolute and resolved)."""

    cwd: str
    project: str
    home: str
    tmp_dirs: tuple[str, ...]
    vectimus: tuple[str, ...] = ()  # directories that are Vectimus itself (protected.installation, …)
    declared: protected.Protected | None = None  # the adapters' declared files (None: read them)

    @classmethod
    def for_call(cls, cwd: str, project: str, env: Mapping[str, str] | None = None) -> Places:
        """Places for one tool call: its cwd, the project root, the user's home, temp dirs, Vectimus."""
        env = os.environ if env is None else env
        home = _real(env.get("HOME") or os.path.expanduser("~"))
        # The system's temp dirs, and those the agent's environment names (where ``tempfile`` looks)
        named = {env[name] for name in ("TMPDIR", "TEMP", "TMP") if env.get(name)} - set(SYSTEM_TMP)
        project = _real(project or cwd or "/")
        # A directory holding the whole project or home (an odd prefix) would protect everything;
        # a system prefix (/usr) is the system-directory rules' business.
        prefixes = tuple(p for p in protected.prefixes() if _within(p, home) or
                         not any(_within(p.lower(), d) for d in SYSTEM_DIRS))
        own = tuple(d for d in (*protected.installation(), *prefixes, *protected.user_dirs(env))
                    if not _within(project, d) and not _within(home, d))
        return cls(cwd=_real(cwd or project), project=project, home=home,
                   tmp_dirs=tuple(sorted({_real(t) for t in named} | named | system_tmp())), vectimus=own,
                   declared=protected.protected())


# Temp directories every system has (only root can link them elsewhere): resolved once.
SYSTEM_TMP = ("/tmp", "/var/tmp", "/usr/tmp", "/dev/shm", "/private/tmp", "/private/var/tmp")


@functools.cache
def system_tmp() -> frozenset[str]:
    """``SYSTEM_TMP`` as written and resolved."""
    return frozenset({_real(t) for t in SYSTEM_TMP} | set(SYSTEM_TMP))


class Known:
    """What one call has resolved already: its files stay as they are while it is analysed, so
    each directory is resolved and each path looked at once."""

    __slots__ = ("real", "modes")

    def __init__(self) -> None:
        self.real: dict[str, str] = {}  # normalised absolute path -> with its links resolved
        self.modes: dict[str, int | None] = {}  # resolved path -> its lstat mode (None: missing)


def _real(path: str, known: Known | None = None) -> str:
    """``path`` normalised with its symlinks resolved (``known``: what this call resolved already,
    filled in as it goes)."""
    if not path or path.startswith("/proc/") or "\x00" in path:  # /proc/self is this process, not the
        return path and posixpath.normpath(path)  # agent's; a NUL byte names no file: kept as written
    try:
        path = posixpath.normpath(path)
        if known is None or not path.startswith("/") or path.startswith("//"):
            return world.realpath(path)
        return _real_known(path, known)
    except (ValueError, OSError):  # a NUL byte, a symlink loop: keep the path as written
        return posixpath.normpath(path)


def _real_known(path: str, known: Known) -> str:
    """``os.path.realpath`` of a normalised absolute ``path``, its parent's taken from ``known``:
    the parent resolved, then one ``lstat`` says whether the last component is a link (only a
    link is resolved by ``realpath`` again, from the resolved parent; what else it says is kept)."""
    found = known.real.get(path)
    if found is not None:
        return found
    parent, _, name = path.rpartition("/")
    base = _real_known(parent, known) if parent else "/"
    full = (base if base != "/" else "") + "/" + name if name else base
    above = known.modes.get(base, stat.S_IFDIR) if name.isascii() else stat.S_IFDIR  # (others may not encode)
    # below what is missing or not a directory, nothing is there: no need to look (when missing,
    # realpath keeps the name as it is)
    mode = world.lmode(full) if above is not None and stat.S_ISDIR(above) else None
    if mode is not None and stat.S_ISLNK(mode):
        found = world.realpath(full)
    else:
        found = full
        known.modes[full] = mode
    known.real[path] = found
    return found


def _within(path: str, base: str) -> bool:
    return path == base or path.startswith(base.rstrip("/") + "/")


@functools.lru_cache(maxsize=64)
def _bases(bases: tuple[str, ...]) -> tuple[frozenset[str], tuple[str, ...]]:
    return frozenset(bases), tuple(b.rstrip("/") + "/" for b in bases)


def _under(path: str, bases: tuple[str, ...]) -> bool:
    """``_within(path, base)`` for any of ``bases``."""
    exact, heads = _bases(bases)
    return path in exact or path.startswith(heads)


@functools.lru_cache(maxsize=64)
def _bare(entries: tuple[str, ...]) -> frozenset[str]:
    """``entries`` without a trailing "/"."""
    return frozenset(e.rstrip("/") for e in entries)


def _starts(path: str, entries: tuple[str, ...]) -> bool:
    """``path`` is one of ``entries`` (without a trailing "/") or starts with one."""
    return path in _bare(entries) or path.startswith(entries)


def _rel(path: str, base: str) -> str | None:
    if _within(path, base) and path != base:
        return path[len(base.rstrip("/")) + 1:]
    return None


def _declared(path: str, in_project: frozenset[str], in_home: frozenset[str], files: protected.Declared) -> bool:
    """True when ``path`` (lower-cased) is one of ``files``; ``in_project``/``in_home``: the
    ``_leading`` parts of its path relative to the project and the home."""
    return (_listed(in_project, files.project) or _listed(in_home, files.home)
            or _starts(path, files.absolute) or posixpath.basename(path) in files.names)


def _leading(rel: str | None) -> frozenset[str]:
    """A relative path (lower-cased) and each of its leading directories: ``a/b/c`` gives
    ``a/b/c``, ``a/b`` and ``a`` (what an entry must equal for the path to be it or below it)."""
    if rel is None:
        return frozenset()
    rel = rel.lower()
    out = [rel]
    i = rel.find("/")
    while i >= 0:
        out.append(rel[:i])
        i = rel.find("/", i + 1)
    return frozenset(out)


def _listed(leading: frozenset[str], entries: tuple[str, ...]) -> bool:
    """The path whose ``_leading`` parts are given is one of ``entries`` or below one (an entry
    "dir/" or "dir" both cover everything below ``dir``)."""
    return bool(leading) and not leading.isdisjoint(_bare(entries))


def _matches(rel: str, entries: tuple[str, ...]) -> bool:
    return _listed(_leading(rel), entries)


def expand(raw: str, places: Places) -> str:
    """Expand ``~``, ``~+`` and ``$HOME`` and make ``raw`` absolute against the call's cwd (no symlinks)."""
    text = raw
    if text[:1] == "~":
        if text == "~" or text.startswith("~/"):
            text = places.home + text[1:]
        elif text == "~+" or text.startswith("~+/"):  # bash's $PWD
            text = places.cwd + text[2:]
        else:
            text = os.path.expanduser(text)  # ~user/...
    if text[:1] == "$":
        for var in ("${HOME}", "$HOME"):
            if text.startswith(var):
                text = places.home + text[len(var):]
    if text[:1] != "/":
        text = places.cwd + "/" + text  # (posixpath.join; normpath drops a doubled "/")
    return posixpath.normpath(text).replace("//", "/")


def resolve(raw: str, places: Places, known: Known | None = None) -> str:
    """``expand`` and then resolve symlinks in whatever part of the path exists (``known``: what
    this call resolved already, filled in as it goes)."""
    return _real(expand(raw, places), known)


def is_secret_path(path: str, home: str) -> bool:
    """True for files holding credentials: .env files (not templates), keys, credential stores."""
    lower = path.lower()
    name = posixpath.basename(lower)
    if name == ".env" or name.endswith(".env"):
        return True
    if name.startswith(".env."):
        return name[5:] not in ENV_TEMPLATES
    if name in SECRET_NAMES:
        return True
    if posixpath.splitext(name)[1] in SECRET_EXTS:
        return True
    if lower.startswith(SECRET_ABSOLUTE):
        return True
    rel = _rel(path, home)
    candidates = [rel.lower()] if rel is not None else []
    # Credential directories count wherever a home directory is (another user's, /root).
    parts = lower.split("/")
    for i in range(1, len(parts)):
        if parts[i] in (".ssh", ".aws", ".gnupg", ".kube", ".azure", ".docker", ".config", ".password-store"):
            candidates.append("/".join(parts[i:]))
            break
    for cand in candidates:
        if cand.startswith(".ssh/") and (name in PUBLIC_SSH or name.endswith(".pub")):
            continue
        if _matches(cand, SECRET_HOME_DIRS):
            return True
    return False


SEARCH_SKIPS = frozenset(("node_modules", ".git", ".venv", "venv", "__pycache__", ".tox", "dist", "build", "target"))


def secret_file_in(folder: str, home: str, names: tuple[str, ...] = (), depth: int = 3, budget: int = 400) -> str:
    """A credential file in ``folder`` or below whose name matches a glob of ``names`` (any, without),
    or "": at most ``depth`` levels and ``budget`` entries searched (dependency and build trees skipped)."""
    import fnmatch

    pending = [(folder, 0)]
    while pending and budget > 0:
        current, level = pending.pop()
        try:
            entries = world.scandir(current, budget)
        except (OSError, ValueError):
            continue
        for entry in entries:
            budget -= 1
            if budget < 0:
                break
            if is_secret_path(entry.path, home) and (not names or any(fnmatch.fnmatch(entry.name, n) for n in names)):
                return entry.path
            if level + 1 < depth and entry.name not in SEARCH_SKIPS and entry.is_dir(follow_symlinks=False):
                pending.append((entry.path, level + 1))
    return ""


def whole_dir(raw: str) -> str | None:
    """The directory ``raw`` stands for when its last component globs every entry (``dir/*``, ``.*``,
    ``[!.]*``: every entry that is not hidden, as ``*`` is)."""
    head, _, last = raw.rstrip("/").rpartition("/")
    if not re.match(_WHOLE_DIR_GLOB, last):
        return None
    if not head and raw.startswith("/"):
        return "/"
    return head or "."


def unresolved(raw: str) -> PathFacts:
    """Facts for a path that could not be resolved statically: only what its text shows."""
    name = posixpath.basename(raw.rstrip("/"))
    return PathFacts(path=raw, name=name, ext=posixpath.splitext(name)[1].lstrip(".").lower(),
                     is_glob=any(c in GLOB_CHARS for c in raw))


def classify(raw: str, places: Places, known: Known | None = None) -> PathFacts:
    """Resolve ``raw`` against ``places`` and compute every fact a policy may test (``known``:
    what this call resolved and classified already, filled in as it goes).

    A glob whose last component covers a whole directory (``*``, ``.*``, ``dir/*``) is classified
    as that directory, so ``rm -rf *`` at the project root is a delete of the project root.
    """
    is_glob = not GLOB_CHARS.isdisjoint(raw)
    if is_glob:
        raw = whole_dir(raw) or raw
    path = resolve(raw, places, known)
    if known is None:
        mode = _lstat_mode(path)
    elif path in known.modes:
        mode = known.modes[path]
    else:
        mode = known.modes[path] = _lstat_mode(path)
    if places.declared is None or mode is not None and stat.S_ISLNK(mode):
        return _facts(path, places, is_glob, mode)  # what they read can change: computed each time
    key = (path, mode, _token(places))  # every place but the cwd: the facts of a resolved path do not depend on it
    facts = _KEPT.get(key)
    if facts is None:
        while len(_KEPT) >= MAX_KEPT:
            del _KEPT[next(iter(_KEPT))]  # the oldest
        facts = _KEPT[key] = _facts(path, places, False, mode)
    return facts._replace(is_glob=True) if is_glob else facts


# (resolved path, its lstat mode, the places but cwd) -> its facts: a function of the key alone
# (the mode says whether it exists and is a directory), kept for the evaluator's next calls.
_KEPT: dict[tuple, PathFacts] = {}
MAX_KEPT = 4096
# Every place but the cwd -> a number standing for them in ``_KEPT``'s keys (hashing them is slow;
# a number is never reused); and the last places asked about, with theirs.
_TOKENS: dict[tuple, int] = {}
_NUMBERS = itertools.count(1)
_LAST: tuple = (None, 0)


def _token(places: Places) -> int:
    global _LAST
    last = _LAST
    if last[0] is not places:
        if len(_TOKENS) >= 64:
            _TOKENS.clear()
        rest = places[1:]
        last = _LAST = (places, _TOKENS.get(rest) or _TOKENS.setdefault(rest, next(_NUMBERS)))
    return last[1]



def _lstat_mode(path: str) -> int | None:
    try:
        return world.lmode(path)
    except ValueError:  # a NUL byte, a name the filesystem cannot encode: no file is there
        return None


def _facts(path: str, places: Places, is_glob: bool, mode: int | None) -> PathFacts:
    """The facts of the resolved ``path``, whose ``lstat`` mode is ``mode`` (None: it is missing)."""
    lower = path.lower()
    name = posixpath.basename(path)
    rel_project = _rel(path, places.project)
    in_project = rel_project is not None or path == places.project
    project_parts = _leading(rel_project)
    home_parts = _leading(_rel(path, places.home))
    in_home = path == places.home or bool(home_parts)
    files = places.declared or protected.protected()
    governance = _declared(lower, project_parts, home_parts, files.governance)
    vectimus = _listed(project_parts, protected.VECTIMUS_PROJECT) or _under(path, places.vectimus)
    instructions = _declared(lower, project_parts, home_parts, files.instructions)
    persistence = (
        _listed(home_parts, PERSISTENCE_HOME) or _starts(lower, PERSISTENCE_ABSOLUTE)
        or "/.git/hooks/" in lower or lower.endswith("/.git/config")  # hooksPath, aliases run code
    )
    ci_config = _listed(project_parts, (".github/workflows/", ".gitlab-ci.yml", ".circleci/", "azure-pipelines.yml",
                                        "jenkinsfile", ".buildkite/", "bitbucket-pipelines.yml", ".travis.yml",
                                        ".drone.yml"))
    is_tmp = _under(path, places.tmp_dirs)
    system = not in_project and not is_tmp and not in_home and _under(lower, SYSTEM_DIRS)
    exists = mode is not None  # the path is resolved: only a dangling link or a loop is still a link
    is_dir = mode is not None and (stat.S_ISDIR(mode) or (stat.S_ISLNK(mode) and world.isdir(path)))
    return PathFacts(
        path=path,
        name=name,
        ext=posixpath.splitext(name)[1].lstrip(".").lower(),
        is_root=path == "/",
        is_home=path == places.home,
        in_home=in_home,
        in_project=in_project,
        is_project_root=path == places.project,
        is_git_dir=name.lower() == ".git",
        in_git_dir=".git" in lower.split("/"),
        is_tmp=is_tmp,
        is_cache=_listed(home_parts, CACHE_HOME),
        is_system=system,
        is_secret=is_secret_path(path, places.home),
        is_governance=governance,
        is_ci_config=ci_config,
        is_agent_instructions=instructions,
        is_persistence=persistence,
        is_vectimus=vectimus,
        is_glob=is_glob,
        is_dir=is_dir,
        exists=exists,
    )

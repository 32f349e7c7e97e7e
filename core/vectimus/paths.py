"""Resolve a path as a tool call names it and classify it into the facts policies test.

Names are matched case-insensitively (``.ENV`` is a secret on a case-insensitive file system).
Standard library only: used on the hot path.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Mapping
from typing import NamedTuple

from vectimus import protected
from vectimus.model import PathFacts

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
               ".tfvars", ".kdbx", ".ovpn"}
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

PERSISTENCE_HOME = (".bashrc", ".bash_profile", ".bash_login", ".profile", ".zshrc", ".zshenv",
                    ".zprofile", ".zlogin", ".config/fish/", ".ssh/authorized_keys",
                    ".config/autostart/", ".config/systemd/user/", "library/launchagents/",
                    ".xprofile", ".xinitrc", ".gitconfig", ".config/git/config")
PERSISTENCE_ABSOLUTE = ("/etc/profile", "/etc/bash.bashrc", "/etc/zsh/", "/etc/cron", "/etc/crontab",
                        "/var/spool/cron/", "/etc/systemd/", "/etc/init.d/", "/etc/rc.local",
                        "/library/launchagents/", "/library/launchdaemons/", "/etc/sudoers",
                        "/etc/ld.so.preload",
                        # Windows registry keys that start programs (PowerShell and reg.exe paths)
                        *(f"/registry/{hive}/software/{wow}microsoft/windows/currentversion/{key}"
                          for hive in ("hkcu", "hklm") for wow in ("", "wow6432node/")
                          for key in ("run", "policies/explorer/run")),
                        "/registry/hklm/software/microsoft/windows nt/currentversion/winlogon",
                        "/registry/hkcu/software/microsoft/windows nt/currentversion/winlogon",
                        "/registry/hklm/software/microsoft/windows nt/currentversion/image file execution options",
                        "/registry/hkcu/environment")
# Absolute locations whose every file is a credential (Kubernetes service-account tokens…).
SECRET_ABSOLUTE = ("/var/run/secrets/", "/run/secrets/", "/etc/ssl/private/")
SYSTEM_DIRS = ("/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/opt",
               "/proc", "/root", "/sbin", "/srv", "/sys", "/usr", "/var", "/snap", "/nix",
               "/system", "/library", "/applications", "/private", "/mnt", "/media")
GLOB_CHARS = set("*?[")
# A last path component that matches every (or every hidden) entry of its directory.
_WHOLE_DIR_GLOB = re.compile(r"^(\.?\*+|\.\[!.\]\*|\.\?\?\*|\.\.\?\*|\{\*,\.\*\})$")


class Places(NamedTuple):
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
_system_tmp: set[str] = set()


def system_tmp() -> set[str]:
    """``SYSTEM_TMP`` as written and resolved."""
    if not _system_tmp:
        _system_tmp.update({_real(t) for t in SYSTEM_TMP} | set(SYSTEM_TMP))
    return _system_tmp


def _real(path: str) -> str:
    if not path or path.startswith("/proc/"):  # /proc/self is this process, not the agent's
        return path and posixpath.normpath(path)
    try:
        return os.path.realpath(posixpath.normpath(path))
    except (ValueError, OSError):  # a NUL byte, a symlink loop: keep the path as written
        return posixpath.normpath(path)


def _within(path: str, base: str) -> bool:
    return path == base or path.startswith(base.rstrip("/") + "/")


def _rel(path: str, base: str) -> str | None:
    if _within(path, base) and path != base:
        return path[len(base.rstrip("/")) + 1:]
    return None


def _declared(path: str, rel_project: str | None, rel_home: str | None, files: protected.Declared) -> bool:
    """True when ``path`` is one of ``files`` (relative paths already computed, ``path`` lower-cased)."""
    return ((rel_project is not None and _matches(rel_project, files.project))
            or (rel_home is not None and _matches(rel_home, files.home))
            or any(path == f.rstrip("/") or path.startswith(f) for f in files.absolute)
            or posixpath.basename(path) in files.names)


def _matches(rel: str, entries: tuple[str, ...]) -> bool:
    rel = rel.lower()
    for entry in entries:
        if entry.endswith("/"):
            if rel == entry[:-1] or rel.startswith(entry):
                return True
        elif rel == entry or rel.startswith(entry + "/"):
            return True
    return False


def expand(raw: str, places: Places) -> str:
    """Expand ``~`` and ``$HOME`` and make ``raw`` absolute against the call's cwd (no symlinks)."""
    text = raw
    if text == "~" or text.startswith("~/"):
        text = places.home + text[1:]
    elif text.startswith("~"):
        text = os.path.expanduser(text)  # ~user/...
    for var in ("${HOME}", "$HOME"):
        if text.startswith(var):
            text = places.home + text[len(var):]
    if not text.startswith("/"):
        text = posixpath.join(places.cwd, text)
    return posixpath.normpath(text).replace("//", "/")


def resolve(raw: str, places: Places) -> str:
    """``expand`` and then resolve symlinks in whatever part of the path exists."""
    return _real(expand(raw, places))


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
    if any(lower.startswith(d) for d in SECRET_ABSOLUTE):
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


# Names a glob is tried against to tell whether it selects credential files (``.env*``, ``*.pem``).
_SECRET_SAMPLES = (".env", ".env.local", ".env.production", "id_rsa", "id_ed25519", "credentials", "key.pem",
                   "server.key", ".npmrc", ".pypirc", ".netrc", ".pgpass", "secrets.yml", "terraform.tfstate",
                   "credentials.tfrc.json", ".git-credentials", "login data", "logins.json", ".bash_history")


def glob_selects_secret(pattern: str) -> bool:
    """True when a file-name glob (its last component) matches credential files: ``.env*``, ``**/*.pem``."""
    import fnmatch

    last = pattern.rstrip("/").rpartition("/")[2].lower()
    if not any(c in GLOB_CHARS or c == "{" for c in last):
        return is_secret_path("/" + last, "/nonexistent-home")
    options = [last]
    if "{" in last and "}" in last:  # *.{pem,key}
        head, _, rest = last.partition("{")
        body, _, tail = rest.partition("}")
        options = [head + o + tail for o in body.split(",")]
    return any(fnmatch.fnmatchcase(name, o) for o in options for name in _SECRET_SAMPLES)


def whole_dir(raw: str) -> str | None:
    """The directory ``raw`` stands for when its last component globs every entry (``dir/*``, ``.*``)."""
    head, _, last = raw.rstrip("/").rpartition("/")
    if not _WHOLE_DIR_GLOB.match(last):
        return None
    if not head and raw.startswith("/"):
        return "/"
    return head or "."


def unresolved(raw: str) -> PathFacts:
    """Facts for a path that could not be resolved statically: only what its text shows."""
    name = posixpath.basename(raw.rstrip("/"))
    return PathFacts(path=raw, name=name, ext=posixpath.splitext(name)[1].lstrip(".").lower(),
                     is_glob=any(c in GLOB_CHARS for c in raw))


def classify(raw: str, places: Places) -> PathFacts:
    """Resolve ``raw`` against ``places`` and compute every fact a policy may test.

    A glob whose last component covers a whole directory (``*``, ``.*``, ``dir/*``) is classified
    as that directory, so ``rm -rf *`` at the project root is a delete of the project root.
    """
    is_glob = any(c in GLOB_CHARS for c in raw)
    if is_glob:
        raw = whole_dir(raw) or raw
    path = resolve(raw, places)
    lower = path.lower()
    name = posixpath.basename(path)
    rel_project = _rel(path, places.project)
    rel_home = _rel(path, places.home)
    in_project = _within(path, places.project)
    files = places.declared or protected.protected()
    governance = _declared(lower, rel_project, rel_home, files.governance)
    vectimus = ((rel_project is not None and _matches(rel_project, protected.VECTIMUS_PROJECT))
                or any(_within(path, d) for d in places.vectimus))
    instructions = _declared(lower, rel_project, rel_home, files.instructions)
    persistence = (
        (rel_home is not None and _matches(rel_home, PERSISTENCE_HOME))
        or any(lower == p.rstrip("/") or lower.startswith(p) for p in PERSISTENCE_ABSOLUTE)
        or "/.git/hooks/" in lower or lower.endswith("/.git/config")  # hooksPath, aliases run code
    )
    ci_config = rel_project is not None and (
        _matches(rel_project, (".github/workflows/", ".gitlab-ci.yml", ".circleci/",
                               "azure-pipelines.yml", "jenkinsfile", ".buildkite/",
                               "bitbucket-pipelines.yml", ".travis.yml", ".drone.yml")))
    system = (not in_project and not any(_within(path, t) for t in places.tmp_dirs)
              and any(_within(lower, d) for d in SYSTEM_DIRS)
              and not _within(path, places.home))
    exists = os.path.lexists(path)
    return PathFacts(
        path=path,
        name=name,
        ext=posixpath.splitext(name)[1].lstrip(".").lower(),
        is_root=path == "/",
        is_home=path == places.home,
        in_home=_within(path, places.home),
        in_project=in_project,
        is_project_root=path == places.project,
        is_git_dir=name.lower() == ".git",
        in_git_dir=".git" in lower.split("/"),
        is_tmp=any(_within(path, t) for t in places.tmp_dirs),
        is_system=system,
        is_secret=is_secret_path(path, places.home),
        is_governance=governance,
        is_ci_config=ci_config,
        is_agent_instructions=instructions,
        is_persistence=persistence,
        is_vectimus=vectimus,
        is_glob=is_glob,
        is_dir=os.path.isdir(path),
        exists=exists,
    )

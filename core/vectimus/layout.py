"""Where a project's Vectimus files are (its root, ``.vectimus/``, the receipt log's file names),
and the user's own Vectimus directory.

Standard library ``os`` only: the hook client uses it on every call (to find the log a resident
evaluator's answer must be recorded in), so it must not pull in ``pathlib`` or ``re``.
"""

import os

PROJECT_DIR = ".vectimus"
RECEIPTS = "receipts"          # <project>/.vectimus/receipts/: the signed log
KEYS = "keys"                  # <project>/.vectimus/keys/: the public keys that verify it
SEGMENT_PREFIX, SEGMENT_SUFFIX, SEGMENT_DIGITS = "segment-", ".jsonl", 12


def find_project_root(cwd: str, hint: str | None = None, env=None) -> str:
    """The project a call or a command belongs to: the agent's hint, else the nearest directory
    above ``cwd`` holding ``.git`` or a project's ``.vectimus``, else ``cwd`` itself.

    The user's own Vectimus directory (``$VECTIMUS_HOME``, ``~/.vectimus``) marks no project: a
    directory under the home with no repository of its own is its own project, not the home.
    """
    if hint and os.path.isdir(hint):
        return os.path.abspath(hint)
    here = os.path.abspath(cwd or os.getcwd())
    probe = here
    user_dir = None
    while True:
        if os.path.exists(os.path.join(probe, ".git")):
            return probe
        marker = os.path.join(probe, PROJECT_DIR)
        if os.path.isdir(marker):
            if user_dir is None:
                user_dir = os.path.realpath(vectimus_home(env))
            if os.path.realpath(marker) != user_dir:
                return probe
        parent = os.path.dirname(probe)
        if parent == probe:
            return here
        probe = parent


def vectimus_home(env=None) -> str:
    """The user's Vectimus directory: ``$VECTIMUS_HOME``, else ``~/.vectimus`` (``env``: the
    environment to read, ``os.environ`` by default)."""
    env = os.environ if env is None else env
    return env.get("VECTIMUS_HOME") or os.path.join(env.get("HOME") or os.path.expanduser("~"), PROJECT_DIR)


def project_candidates(env, cwd: str) -> set[str]:
    """The projects a hook process started in ``cwd`` with ``env`` may be deciding for.

    The nearest project above ``cwd`` and every existing ``*_PROJECT_DIR`` directory the agent put
    in the environment (``CLAUDE_PROJECT_DIR``, ``CURSOR_PROJECT_DIR`` …). The hook client accepts
    a resident evaluator's answer only when its receipt was written in one of these.
    """
    found = {find_project_root(cwd)}
    for name, value in env.items():
        if name.endswith("_PROJECT_DIR") and value and os.path.isdir(value):
            found.add(os.path.abspath(value))
    return found


def segment_name(first_seq: int) -> str:
    """The file name of the segment whose first receipt has sequence number ``first_seq``."""
    return f"{SEGMENT_PREFIX}{first_seq:0{SEGMENT_DIGITS}d}{SEGMENT_SUFFIX}"


def is_segment_name(name: str) -> bool:
    """Whether ``name`` is exactly a segment file name (no path, no other spelling)."""
    digits = name[len(SEGMENT_PREFIX):-len(SEGMENT_SUFFIX)]
    return (name.startswith(SEGMENT_PREFIX) and name.endswith(SEGMENT_SUFFIX)
            and len(digits) == SEGMENT_DIGITS and digits.isascii() and digits.isdigit())


def segment_first_seq(name: str) -> int:
    """The sequence number of the first receipt in segment ``name`` (-1 when it is not a segment name)."""
    return int(name[len(SEGMENT_PREFIX):len(SEGMENT_PREFIX) + SEGMENT_DIGITS]) if is_segment_name(name) else -1

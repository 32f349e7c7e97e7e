"""Fixtures for the resident-evaluator tests: each test gets its own runtime directory and daemon.

Every daemon a test starts (explicitly or through a hook's autostart) lives in that directory and
is stopped when the test ends, so no process outlives the test.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest
from tests.support.daemon import Daemon


@pytest.fixture
def rundir():
    """A fresh XDG_RUNTIME_DIR; whatever daemon runs in it is stopped afterwards."""
    path = tempfile.mkdtemp(prefix="vd-")
    yield path
    from vectimus.daemon import lifecycle

    own = os.path.join(path, "vectimus")
    if os.path.isdir(own) and not os.path.islink(own):  # undo what a test did to the directory
        os.chown(own, os.getuid(), os.getgid())
        os.chmod(own, 0o700)
    try:
        lifecycle.stop({"XDG_RUNTIME_DIR": path})
    except lifecycle.runtime.RuntimeDirError:
        pass  # refused (a symlink): no daemon could have used it
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def dproject(installed, rundir):
    """An installed project whose hooks use the test's own runtime directory."""
    installed.env["XDG_RUNTIME_DIR"] = rundir
    return installed


@pytest.fixture
def daemon(dproject, rundir) -> Daemon:
    return Daemon(dproject, rundir)

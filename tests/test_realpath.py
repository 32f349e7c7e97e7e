"""Resolving symbolic links in one system call: the same answers as ``os.path.realpath``."""

from __future__ import annotations

import os

import pytest

from vectimus.realpath import realpath


@pytest.fixture
def tree(tmp_path):
    """Links of every kind a path can meet: to a directory, to a file, relative, chained, dangling,
    a loop, a link whose target holds ``..``, and a FIFO (never opened for I/O)."""
    (tmp_path / "real" / "sub").mkdir(parents=True)
    (tmp_path / "real" / "sub" / "f.txt").write_text("x")
    (tmp_path / "dirlink").symlink_to(tmp_path / "real")
    (tmp_path / "rel").symlink_to("real/sub")
    (tmp_path / "chain").symlink_to("dirlink")
    (tmp_path / "filelink").symlink_to("real/sub/f.txt")
    (tmp_path / "dangling").symlink_to("nowhere/at/all")
    (tmp_path / "loop").symlink_to("loop")
    (tmp_path / "up").symlink_to("real/sub/..")
    os.mkfifo(tmp_path / "fifo")
    return tmp_path


@pytest.mark.parametrize("rel", [
    "", "real", "real/sub/f.txt", "dirlink", "dirlink/sub/f.txt", "rel", "rel/f.txt", "chain/sub",
    "filelink", "dangling", "dangling/more", "loop", "loop/x", "up", "up/sub", "fifo", "missing",
    "missing/deeper", "dirlink/../real", "real/./sub/", "real/sub/f.txt/not-a-dir", "dirlink/sub/../sub",
])
def test_the_same_answer_as_os_path_realpath(tree, rel):
    path = str(tree / rel) if rel else str(tree)
    assert realpath(path) == os.path.realpath(path)


def test_relative_paths_resolve_from_the_working_directory(tree, monkeypatch):
    monkeypatch.chdir(tree / "dirlink")
    for rel in (".", "sub", "sub/f.txt", "../rel", "nothing-here"):
        assert realpath(rel) == os.path.realpath(rel)


@pytest.mark.skipif(not hasattr(os, "O_PATH") or not os.path.isdir("/proc/self/fd"), reason="Linux with /proc")
def test_an_existing_path_is_resolved_by_the_kernel_alone(tree, monkeypatch):
    expected = os.path.realpath(tree / "chain" / "sub" / "f.txt")
    monkeypatch.setattr(os.path, "realpath", lambda path: pytest.fail(f"walked {path} component by component"))
    assert realpath(str(tree / "chain" / "sub" / "f.txt")) == expected

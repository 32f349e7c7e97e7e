"""atomic.write: a file is replaced whole or not at all, never through a link."""

from __future__ import annotations

import os

import pytest

from vectimus import atomic


def test_replaces_the_file_and_leaves_nothing_beside_it(tmp_path):
    path = tmp_path / "state.json"
    path.write_text("old")
    atomic.write(path, "new ✓")
    assert path.read_text(encoding="utf-8") == "new ✓"
    assert os.listdir(tmp_path) == ["state.json"]


def test_mode_and_a_name_in_an_open_directory(tmp_path):
    fd = os.open(tmp_path, os.O_RDONLY)
    try:
        atomic.write("key", b"\x00secret", 0o600, dir_fd=fd)
    finally:
        os.close(fd)
    assert (tmp_path / "key").read_bytes() == b"\x00secret"
    assert (tmp_path / "key").stat().st_mode & 0o777 == 0o600


def test_a_link_planted_at_the_temporary_name_is_not_written_through(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("keep")
    (tmp_path / f".config.toml.{os.getpid()}.tmp").symlink_to(victim)
    atomic.write(tmp_path / "config.toml", "mode = 'enforce'\n")
    assert victim.read_text() == "keep" and (tmp_path / "config.toml").read_text() == "mode = 'enforce'\n"


def test_a_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "f"
    path.write_text("old")

    def full(fd, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(OSError):
        atomic.write(path, "new")
    monkeypatch.undo()
    assert path.read_text() == "old" and os.listdir(tmp_path) == ["f"]

"""``vectimus.world``: each look answers as ``os`` does, and while an analysis is recorded each is
noted with its answer, so ``unchanged`` tells whether every one still answers the same."""

from __future__ import annotations

import os
import threading

import pytest

from vectimus import world


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.py").write_text("print(1)\n")
    (tmp_path / "link").symlink_to(tmp_path / "src")
    return tmp_path


def looked(action):
    """The looks ``action()`` took, and what it returned."""
    outer = world.record()
    try:
        result = action()
    finally:
        looks = world.stop(outer)
    return looks, result


def test_each_look_answers_as_os_does(tree):
    for path in (tree / "src", tree / "src" / "a.py", tree / "link", tree / "missing"):
        p = str(path)
        assert world.isfile(p) == os.path.isfile(p) and world.isdir(p) == os.path.isdir(p)
        assert world.exists(p) == os.path.exists(p) and world.lexists(p) == os.path.lexists(p)
        assert world.islink(p) == os.path.islink(p) and world.realpath(p) == os.path.realpath(p)
        assert world.executable(p) == os.access(p, os.X_OK)
        assert world.lmode(p) == (os.lstat(p).st_mode if os.path.lexists(p) else None)
        assert world.mode(p) == (os.stat(p).st_mode if os.path.exists(p) else None)
    assert sorted(world.listdir(str(tree))) == sorted(os.listdir(tree))
    assert [(d, sorted(s), sorted(f)) for d, s, f in world.walk(str(tree))] == \
        [(d, sorted(s), sorted(f)) for d, s, f in os.walk(tree)]
    assert world.glob(f"{tree}/*/*.py") == sorted([str(tree / "src" / "a.py"), str(tree / "link" / "a.py")])
    entry = {e.name: e for e in world.scandir(str(tree))}["link"]
    assert entry.is_symlink() and entry.is_dir() and not entry.is_dir(follow_symlinks=False)
    assert world.read(str(tree / "src" / "a.py"), 4) == b"print"  # limit + 1 bytes: "longer than 4"
    with pytest.raises(FileNotFoundError):
        world.read(str(tree / "missing"), 10)


def test_a_fifo_or_a_directory_is_never_read(tree):
    os.mkfifo(tree / "fifo")
    done = threading.Event()

    def read():
        with pytest.raises(world.NotRegular):
            world.read(str(tree / "fifo"), 10)
        done.set()

    threading.Thread(target=read, daemon=True).start()
    assert done.wait(5), "reading a FIFO blocked"
    with pytest.raises(world.NotRegular):
        world.read(str(tree / "src"), 10)


def test_nothing_is_noted_unless_an_analysis_is_recorded(tree):
    assert not world.recording()
    world.isfile(str(tree / "src" / "a.py"))
    looks, _ = looked(lambda: world.isfile(str(tree / "src" / "a.py")))
    assert len(looks) == 1 and not world.recording()


def test_a_file_rewritten_with_its_size_and_times_kept_is_a_change(tree):
    path = tree / "src" / "a.py"
    looks, _ = looked(lambda: world.read(str(path), 1000))
    assert world.unchanged(looks)
    info = path.stat()
    path.write_text("print(2)\n")
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert not world.unchanged(looks)


@pytest.mark.parametrize("change", ["new entry", "retarget link", "remove", "file for dir"])
def test_what_a_look_saw_changing_is_a_change(tree, change):
    looks, _ = looked(lambda: (world.listdir(str(tree)), world.realpath(str(tree / "link")),
                               world.isfile(str(tree / "src" / "a.py")), world.isdir(str(tree / "src"))))
    assert world.unchanged(looks)
    if change == "new entry":
        (tree / ".env").write_text("KEY=1\n")
    elif change == "retarget link":
        (tree / "link").unlink()
        (tree / "link").symlink_to("/etc")
    elif change == "remove":
        (tree / "src" / "a.py").unlink()
    else:
        os.rename(tree / "src", tree / "old")
        (tree / "src").write_text("")
    assert not world.unchanged(looks)


def test_a_change_a_look_cannot_see_is_no_change(tree):
    looks, _ = looked(lambda: world.lmode(str(tree / "src")))
    (tree / "src" / "b.py").write_text("")  # the directory's times change, not its kind
    assert world.unchanged(looks)


def test_a_look_that_failed_is_noted_as_failing(tree):
    looks, _ = looked(lambda: pytest.raises(FileNotFoundError, world.read, str(tree / "later.py"), 10))
    assert world.unchanged(looks)
    (tree / "later.py").write_text("x")
    assert not world.unchanged(looks)


def test_an_inner_recording_is_noted_in_the_outer_one_too(tree):
    outer = world.record()
    inner = world.record()
    world.isfile(str(tree / "src" / "a.py"))
    assert len(world.stop(inner)) == 1 and world.recording()
    world.isdir(str(tree / "src"))
    assert len(world.stop(outer)) == 2 and not world.recording()

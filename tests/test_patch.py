"""The apply_patch format: which files a patch touches and what they will hold."""

from __future__ import annotations

import pytest

from vectimus import patch


def test_patch_lists_every_kind_of_target():
    text = (
        "*** Begin Patch\n"
        "*** Add File: docs/new.md\n+# New\n+text\n"
        "*** Update File: src/app.py\n@@ def main():\n-    return 1\n+    return 2\n"
        "*** Update File: src/old_name.py\n*** Move to: src/new_name.py\n@@\n-a\n+b\n"
        "*** Delete File: build/stale.txt\n"
        "*** End Patch\n"
    )
    t = patch.parse(text)
    assert t.added == ("docs/new.md",)
    assert t.updated == ("src/app.py", "src/old_name.py")
    assert t.moved_to == ("src/new_name.py",)
    assert t.deleted == ("build/stale.txt",)
    assert t.written == ("docs/new.md", "src/app.py", "src/old_name.py", "src/new_name.py")
    assert t.added_text.splitlines() == ["# New", "text", "    return 2", "b"]


def test_patch_inside_a_heredoc_wrapper_is_read():
    t = patch.parse("apply_patch <<'EOF'\n*** Begin Patch\n*** Add File: a.txt\n+x\n*** End Patch\nEOF\n")
    assert t.added == ("a.txt",)


def test_headers_after_end_patch_are_ignored():
    t = patch.parse("*** Begin Patch\n*** Add File: a\n+x\n*** End Patch\n*** Add File: b\n")
    assert t.written == ("a",)


@pytest.mark.parametrize("text", [
    "",
    "echo hello",
    "*** Begin Patch\n*** End Patch\n",
    "*** Begin Patch\n*** Add File: \n+x\n*** End Patch\n",
    "*** Begin Patch\n*** Add File: a\n*** Move to: b\n*** End Patch\n",
])
def test_patches_naming_no_usable_file_are_errors(text):
    with pytest.raises(patch.PatchError):
        patch.parse(text)


def test_paths_names_every_file_and_nothing_for_text_that_is_no_patch():
    text = ("*** Begin Patch\n*** Update File: src/a.py\n@@\n-x\n+y\n*** Move to: src/b.py\n"
            "*** Delete File: old.txt\n*** Add File: .github/workflows/x.yml\n+on: push\n"
            "+*** Add File: not/a/header\n*** End Patch\n")
    assert patch.paths(text) == ["src/a.py", "src/b.py", "old.txt", ".github/workflows/x.yml"]
    assert patch.paths(None) == [] and patch.paths("plain") == []
    assert patch.paths("*** Add File: .github/workflows/x.yml\n+on: push\n") == []  # no Begin: not applied


def test_new_text_applies_hunks_and_appends_what_it_cannot_place():
    [added, updated] = patch.parse("*** Begin Patch\n*** Add File: n.sh\n+echo hi\n+exit 0\n"
                                   "*** Update File: m.py\n@@\n def f():\n-    return 1\n+    return 2\n"
                                   "@@\n-gone\n+appended\n*** End Patch\n").files
    assert patch.new_text(added, "ignored") == "echo hi\nexit 0\n"
    assert patch.new_text(updated, "def f():\n    return 1\n") == "def f():\n    return 2\n\nappended"


def test_the_patch_text_is_found_under_every_agents_key_and_never_guessed():
    text = "*** Begin Patch\n*** Add File: a.txt\n+x\n*** End Patch\n"
    for key in patch.TEXT_KEYS:  # Codex, Copilot (now and before), OpenCode
        assert patch.text_of({key: text}) == text
        assert patch.with_files({key: text})["files"] == ["a.txt"]
    assert patch.text_of({"command": text, "input": text}) == text
    assert patch.text_of({"explanation": "x"}) is None and patch.text_of("not a dict") is None
    # a harmless patch beside the one the agent applies must not decide which one is judged
    other = "*** Begin Patch\n*** Delete File: .git/config\n*** End Patch\n"
    with pytest.raises(patch.PatchError):
        patch.text_of({"input": text, "command": other})

"""Run inside ``unshare -rm`` (its own mount namespace): the session-end checkpoint on a full disk.

Mounts a small tmpfs on the project's receipts directory, records calls through the installed hook
until ``checkpoints.jsonl`` ends part-way into a page, fills the file system, ends the session
(the checkpoint write runs out of space half-way), frees the space, ends the session again and
verifies. Prints one JSON object with what it saw.
"""

import errno
import json
import os
import subprocess
import sys

root, command, vectimus = sys.argv[1], sys.argv[2], sys.argv[3]
receipts = os.path.join(root, ".vectimus", "receipts")
os.makedirs(receipts, exist_ok=True)
subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", receipts], check=True)
checkpoints = os.path.join(receipts, "checkpoints.jsonl")


def hook(event: dict) -> subprocess.CompletedProcess:
    return subprocess.run(["/bin/sh", "-c", command], input=json.dumps(event), cwd=root, text=True,
                          capture_output=True, timeout=60)


def call(i: int) -> None:
    done = hook({"session_id": "full-disk", "cwd": root, "hook_event_name": "PreToolUse", "tool_name": "Bash",
                 "tool_input": {"command": f"echo {i}"}, "tool_use_id": f"toolu_{i}"})
    assert done.returncode == 0 and done.stdout == "", done


def end() -> subprocess.CompletedProcess:
    return hook({"session_id": "full-disk", "cwd": root, "hook_event_name": "SessionEnd", "reason": "other"})


def fill(path: str) -> None:
    with open(path, "wb", buffering=0) as fh:
        for size in (65536, 4096, 512, 64, 1):
            while True:
                try:
                    if fh.write(b"\0" * size) < size:
                        break
                except OSError as exc:
                    assert exc.errno == errno.ENOSPC
                    break


calls = 0
while True:
    call(calls)
    calls += 1
    slack = -os.path.getsize(checkpoints) % 4096 if os.path.exists(checkpoints) else 0
    if calls % 2 and 100 < slack < 500:  # an unsealed receipt, and less room left in the page than a line
        break
    assert calls < 60, "no page slack found"
size_before = os.path.getsize(checkpoints)
control = os.path.join(receipts, "control")
with open(control, "wb") as fh:
    fh.write(b"x" * size_before)
fill(os.path.join(receipts, "filler"))
with open(control, "ab", buffering=0) as fh:  # what a plain append does on this disk: it is cut short
    try:
        control_written = fh.write(b"y" * 700)
    except OSError:
        control_written = 0
first_end = end()
with open(checkpoints, "rb") as fh:
    after_full = fh.read()
os.unlink(os.path.join(receipts, "filler"))
os.unlink(control)
second_end = end()
verified = subprocess.run([vectimus, "verify", "--sealed", "--json"], cwd=root, capture_output=True, text=True)
print(json.dumps({
    "calls": calls, "slack": -size_before % 4096, "control_written": control_written,
    "first_end": [first_end.returncode, first_end.stdout, first_end.stderr],
    "checkpoints_unchanged": len(after_full) == size_before and after_full.endswith(b"\n"),
    "second_end": [second_end.returncode, second_end.stdout, second_end.stderr],
    "verify": json.loads(verified.stdout),
}))

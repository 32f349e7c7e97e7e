"""A real receipt log for report tests: an installed project and a session of calls through its hook."""

from __future__ import annotations

VECTIMUS_DENIED = "vectimus rule disable vectimus-fileint-001 | tee /tmp/out"


def run_session(project, session: str = "report-session") -> None:
    """Three denials and three allowed calls by Claude Code through the installed hook, then session end."""
    root = project.root
    calls = [
        ("Write", {"file_path": str(root / ".github" / "workflows" / "ci.yml"), "content": "on: push\n"}),
        ("Read", {"file_path": str(root / "README.md")}),
        ("Write", {"file_path": str(root / ".claude" / "settings.json"), "content": "{}"}),
        ("Edit", {"file_path": str(root / "src" / "app.py"), "old_string": "hello", "new_string": "hi"}),
        ("Bash", {"command": VECTIMUS_DENIED}),
        ("Bash", {"command": "ls -la src"}),
    ]
    command = project.hook_command()
    for tool, tool_input in calls:
        project.call(command, project.claude_event(tool, tool_input, session_id=session))
    [end] = project.claude_hooks("SessionEnd")
    project.call(end, {"session_id": session, "cwd": str(root), "hook_event_name": "SessionEnd"})

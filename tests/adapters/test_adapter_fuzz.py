"""Whatever an agent sends, the Cursor and Copilot adapters answer with a ToolCall, a SessionEvent
or an AdapterError (which the hook turns into a deny): never another exception.

FUZZ_EXAMPLES=5000 runs a longer search.
"""

from __future__ import annotations

import json
import os

from hypothesis import given, settings
from hypothesis import strategies as st

from vectimus.adapter import AdapterError, SessionEvent
from vectimus.model import Decision, ToolCall
from vectimus_copilot import CopilotAdapter
from vectimus_copilot.tools import COPILOT_TOOLS
from vectimus_cursor import CursorAdapter
from vectimus_cursor.tools import CURSOR_TOOLS

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12)
keys = st.sampled_from(["command", "file_path", "path", "filePath", "filePaths", "url", "urls", "query",
                        "prompt", "description", "content", "input", "replacements", "target_file",
                        "working_directory", "attachments", "search_term", "file_text", "new_str"])
tool_inputs = st.dictionaries(keys, json_values, max_size=5)
tool_inputs_or_strings = tool_inputs | tool_inputs.map(json.dumps) | json_values

cursor_events = st.fixed_dictionaries(
    {"hook_event_name": st.sampled_from(["preToolUse", "beforeShellExecution", "beforeMCPExecution",
                                         "beforeReadFile", "sessionEnd", "stop", "other"]) | json_values},
    optional={"tool_name": st.sampled_from(sorted(CURSOR_TOOLS) + ["MCP:x", "mcp__a__b", "Zzz"]) | json_values,
              "tool_input": tool_inputs_or_strings, "command": json_values, "file_path": json_values,
              "attachments": json_values, "mcp_server_name": json_values, "cwd": json_values,
              "workspace_roots": json_values, "conversation_id": json_values})

copilot_events = st.fixed_dictionaries(
    {},
    optional={"hook_event_name": st.sampled_from(["PreToolUse", "SessionEnd", "x"]) | json_values,
              "toolName": st.sampled_from(sorted(COPILOT_TOOLS) + ["srv-x", "mcp_a_b", "Zzz"]) | json_values,
              "tool_name": st.sampled_from(sorted(COPILOT_TOOLS)) | json_values,
              "toolArgs": tool_inputs_or_strings, "tool_input": tool_inputs_or_strings,
              "cwd": json_values, "sessionId": json_values})


def check(adapter, event, env) -> None:
    try:
        parsed = adapter.parse(event, env)
    except AdapterError as exc:
        assert str(exc)
        parsed = None
    assert parsed is None or isinstance(parsed, (ToolCall, SessionEvent))
    call = parsed if isinstance(parsed, ToolCall) else None
    for verdict in ("allow", "deny", "ask"):
        out = adapter.render(Decision(verdict, reason="r"), call)
        assert out.exit_code == 0 and isinstance(json.loads(out.stdout), dict)


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "300")), deadline=None)
@given(cursor_events)
def test_cursor_never_raises_anything_but_adapter_error(event):
    check(CursorAdapter(), event, {"CURSOR_PROJECT_DIR": "/nonexistent"})


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "300")), deadline=None)
@given(copilot_events)
def test_copilot_never_raises_anything_but_adapter_error(tmp_path_factory, event):
    home = tmp_path_factory.getbasetemp()
    check(CopilotAdapter(), event, {"HOME": str(home)})

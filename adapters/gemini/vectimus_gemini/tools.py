"""Gemini CLI's tools mapped onto ToolCalls (names and arguments as Gemini CLI 0.61.0 declares them).

``tool_input`` is exactly what the model sent, so paths may be relative (to the call's cwd).
A name missing here, and not an MCP tool, becomes an ``unknown`` call.
"""

from __future__ import annotations

from vectimus.adapter import AdapterError
from vectimus.toolmap import ToolSpec, aliases


def prompt_urls(prompt: str) -> list[str]:
    """The URLs Gemini's ``web_fetch`` fetches from its prompt: whitespace-separated tokens holding
    ``://`` (Gemini itself then refuses any that is not http or https)."""
    return [token for token in prompt.split() if "://" in token]


def _one_url(tool_input: dict) -> dict:
    """``web_fetch``: its one URL, from ``url`` (direct fetch) or inside ``prompt``."""
    if isinstance(tool_input.get("url"), str) and tool_input["url"]:
        return tool_input
    prompt = tool_input.get("prompt")
    urls = prompt_urls(prompt) if isinstance(prompt, str) else []
    if len(urls) > 1:
        raise AdapterError("web_fetch with several URLs in its prompt: Vectimus evaluates one URL per "
                           "call, so fetch each URL in a web_fetch of its own")
    return {**tool_input, "url": urls[0] if urls else None}


_search = ToolSpec("file_read", paths=("dir_path", "path"), optional_path=True)

GEMINI_TOOLS: dict[str, ToolSpec] = {
    # run_shell_command's dir_path (relative to the project) becomes the call's cwd.
    "run_shell_command": ToolSpec("shell", command="command", workdir="dir_path"),
    "write_file": ToolSpec("file_write", paths=("file_path",), content="content"),
    "replace": ToolSpec("file_write", paths=("file_path",), content="new_string"),
    "read_file": ToolSpec("file_read", paths=("file_path", "absolute_path")),
    "read_many_files": ToolSpec("file_read", paths=("include", "paths")),
    "list_directory": ToolSpec("file_read", paths=("dir_path", "path")),
    "glob": _search,
    "grep_search": _search,
    "search_file_content": _search,  # grep_search's older name
    "web_fetch": ToolSpec("web_fetch", url="url", normalise=_one_url),
    "google_web_search": ToolSpec("web_search", query="query"),
    "invoke_agent": ToolSpec("spawn", prompt="prompt",
                             normalise=aliases(prompt=("prompt", "task", "objective", "query"))),
    # Agent bookkeeping with no effect outside the agent itself.
    "write_todos": ToolSpec("internal"),
    "update_topic": ToolSpec("internal"),
    "enter_plan_mode": ToolSpec("internal"),
    "exit_plan_mode": ToolSpec("internal"),
    "ask_user": ToolSpec("internal"),
    "complete_task": ToolSpec("internal"),
    "activate_skill": ToolSpec("internal"),
    "get_internal_docs": ToolSpec("internal"),
    "list_background_processes": ToolSpec("internal"),
    "read_background_output": ToolSpec("internal"),
    "list_mcp_resources": ToolSpec("internal"),
    "tracker_create_task": ToolSpec("internal"),
    "tracker_update_task": ToolSpec("internal"),
    "tracker_get_task": ToolSpec("internal"),
    "tracker_list_tasks": ToolSpec("internal"),
    "tracker_add_dependency": ToolSpec("internal"),
    "tracker_visualize": ToolSpec("internal"),
}

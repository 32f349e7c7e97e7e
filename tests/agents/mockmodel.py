"""Scripted local stand-ins for the model APIs the real agent CLIs talk to.

Each server runs on 127.0.0.1 (port 0) in a daemon thread and plays a fixed script: step N of
the script is the list of tool calls the "model" makes in its N-th assistant turn; once the
script is used up it answers with plain text and ends the turn. The step a request is at is
derived from the tool-call ids already present in the conversation (``<prefix>s<step>c<i>``),
so retries and unrelated side requests (titles, summaries) never advance the script.

A step may also be a function of the results so far (``results -> [ToolUse]``), for a model
that reacts to what it saw (e.g. writes to the session id a command reported).

What comes back from the agent for each tool call (the hook's denial reason, the command's
output) is recorded in ``results`` keyed by tool-call id, for tests to assert on.

- ``AnthropicMock``: the Anthropic Messages API (``POST /v1/messages``, streaming SSE or JSON).
- ``ResponsesMock``: the OpenAI Responses API (``POST /v1/responses``, streaming SSE).
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

FINAL_TEXT = "All done."


@dataclass(frozen=True)
class ToolUse:
    """One tool call the scripted model makes: the agent-side tool name and its input.

    ``namespace`` is for Responses API namespaced tools (Codex exposes MCP server ``x``'s tools
    in namespace ``mcp__x`` after a ``tool_search``).
    """

    name: str
    input: dict | str
    namespace: str | None = None


@dataclass
class ToolResult:
    """What the agent sent back to the model for one tool call."""

    text: str
    is_error: bool = False


@dataclass
class Request:
    """One HTTP request the mock received."""

    method: str
    path: str
    body: Any = None


def _text_of(content: Any) -> str:
    """Flatten a tool result's content (a string or a list of content blocks) into text."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(_text_of(part) for part in content)
    if isinstance(content, dict):
        for key in ("text", "output", "content"):
            if key in content:
                return _text_of(content[key])
    return "" if content is None else json.dumps(content)


def _sse(events: list[dict]) -> bytes:
    return b"".join(
        f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in events)


class MockModel:
    """Base class: the HTTP plumbing, the script and the record of requests and results."""

    id_prefix = "call_"

    def __init__(self, steps: list | None = None, final_text: str = FINAL_TEXT):
        self.steps = [step if callable(step) else list(step) for step in (steps or [])]
        self.final_text = final_text
        self.requests: list[Request] = []
        self.results: dict[str, ToolResult] = {}
        self.unhandled: list[Request] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._url = ""

    # -- script helpers
    def call_id(self, step: int, index: int) -> str:
        """The id the mock gives the ``index``-th tool call of ``step``."""
        return f"{self.id_prefix}s{step}c{index}"

    def step_of(self, ids: list[str]) -> int:
        """The script step a conversation holding these tool-call ids is at."""
        pattern = re.compile(re.escape(self.id_prefix) + r"s(\d+)c\d+$")
        seen = [int(m.group(1)) for i in ids if (m := pattern.match(i))]
        return max(seen) + 1 if seen else 0

    def calls_at(self, step: int) -> list[ToolUse]:
        """The tool calls of script step ``step`` (none once the script is used up)."""
        if step >= len(self.steps):
            return []
        planned = self.steps[step]
        return list(planned(dict(self.results)) if callable(planned) else planned)

    def result(self, step: int, index: int = 0) -> ToolResult:
        """What came back for the ``index``-th tool call of ``step`` (KeyError if nothing did)."""
        return self.results[self.call_id(step, index)]

    def _record_result(self, call_id: str, text: str, is_error: bool) -> None:
        with self._lock:
            self.results[call_id] = ToolResult(text, is_error)

    # -- server
    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (still known after ``stop``)."""
        assert self._url, "mock not started"
        return self._url

    def start(self) -> "MockModel":
        mock = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep pytest output clean
                pass

            def _body(self) -> Any:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    return json.loads(raw) if raw else None
                except ValueError:
                    return raw.decode("utf-8", "replace")

            def _handle(self, method: str) -> None:
                body = self._body() if method == "POST" else None
                req = Request(method, self.path, body)
                with mock._lock:
                    mock.requests.append(req)
                answer = mock.answer(req)
                if answer is None:
                    with mock._lock:
                        mock.unhandled.append(req)
                    answer = (404, "application/json",
                              json.dumps({"error": {"type": "not_found", "message": self.path}}).encode())
                status, ctype, payload = answer
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if method != "HEAD":
                    self.wfile.write(payload)

            def do_GET(self):
                self._handle("GET")

            def do_HEAD(self):
                self._handle("HEAD")

            def do_POST(self):
                self._handle("POST")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._url = "http://127.0.0.1:%d" % self._server.server_address[1]
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "MockModel":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def answer(self, req: Request) -> tuple[int, str, bytes] | None:
        """The (status, content type, body) for one request; None means 404."""
        raise NotImplementedError


class AnthropicMock(MockModel):
    """The Anthropic Messages API, as Claude Code uses it."""

    id_prefix = "toolu_"

    def answer(self, req):
        path = req.path.split("?", 1)[0]
        if req.method in ("HEAD", "GET") and path == "/":
            return 200, "text/plain", b"ok"
        if req.method != "POST" or not isinstance(req.body, dict):
            return None
        if path == "/v1/messages/count_tokens":
            return 200, "application/json", b'{"input_tokens": 100}'
        if path != "/v1/messages":
            return None
        body = req.body
        ids = []
        for message in body.get("messages") or []:
            content = message.get("content")
            for block in content if isinstance(content, list) else []:
                if not isinstance(block, dict):
                    continue
                if block.get("type") == "tool_use":
                    ids.append(block.get("id", ""))
                elif block.get("type") == "tool_result":
                    self._record_result(block.get("tool_use_id", ""), _text_of(block.get("content")),
                                        bool(block.get("is_error")))
        step = self.step_of(ids)
        calls = self.calls_at(step) if body.get("tools") else []
        blocks = [{"type": "tool_use", "id": self.call_id(step, i), "name": c.name, "input": c.input}
                  for i, c in enumerate(calls)] or [{"type": "text", "text": self.final_text}]
        stop = "tool_use" if calls else "end_turn"
        model = body.get("model") or "claude-mock"
        if not body.get("stream"):
            message = {"id": f"msg_mock_{len(self.requests)}", "type": "message", "role": "assistant",
                       "model": model, "content": blocks, "stop_reason": stop, "stop_sequence": None,
                       "usage": {"input_tokens": 100, "output_tokens": 10}}
            return 200, "application/json", json.dumps(message).encode()
        events: list[dict] = [{"type": "message_start", "message": {
            "id": f"msg_mock_{len(self.requests)}", "type": "message", "role": "assistant",
            "model": model, "content": [], "stop_reason": None, "stop_sequence": None,
            "usage": {"input_tokens": 100, "output_tokens": 1}}}]
        for i, block in enumerate(blocks):
            if block["type"] == "tool_use":
                start = {**block, "input": {}}
                delta = {"type": "input_json_delta", "partial_json": json.dumps(block["input"])}
            else:
                start = {"type": "text", "text": ""}
                delta = {"type": "text_delta", "text": block["text"]}
            events += [{"type": "content_block_start", "index": i, "content_block": start},
                       {"type": "content_block_delta", "index": i, "delta": delta},
                       {"type": "content_block_stop", "index": i}]
        events += [{"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None},
                    "usage": {"output_tokens": 10}},
                   {"type": "message_stop"}]
        return 200, "text/event-stream", _sse(events)


class ResponsesMock(MockModel):
    """The OpenAI Responses API, as the Codex CLI uses it.

    A ``ToolUse`` whose input is a dict becomes a ``function_call`` (arguments JSON-encoded);
    one whose input is a string becomes a ``custom_tool_call`` (freeform tools such as Codex's
    ``apply_patch`` grammar tool); one named ``tool_search`` becomes a client-executed
    ``tool_search_call`` (Codex loads MCP tools lazily: search first, then call them).
    """

    id_prefix = "call_"

    def tool_names(self) -> set[str]:
        """Every tool name the agent offered the model, across requests (for diagnostics)."""
        names = set()
        for req in self.requests:
            if isinstance(req.body, dict):
                for tool in req.body.get("tools") or []:
                    names.add(tool.get("name") or tool.get("type"))
        return names

    def answer(self, req):
        path = req.path.split("?", 1)[0]
        if req.method != "POST" or path != "/v1/responses" or not isinstance(req.body, dict):
            return None
        body = req.body
        ids = []
        for item in body.get("input") or []:
            if not isinstance(item, dict):
                continue
            kind = item.get("type")
            if kind in ("function_call", "custom_tool_call", "tool_search_call"):
                ids.append(item.get("call_id", ""))
            elif kind in ("function_call_output", "custom_tool_call_output"):
                output = item.get("output")
                failed = isinstance(output, dict) and output.get("success") is False
                self._record_result(item.get("call_id", ""), _text_of(output), failed)
        step = self.step_of(ids)
        calls = self.calls_at(step) if body.get("tools") else []
        n = len(self.requests)
        items: list[dict] = []
        for i, c in enumerate(calls):
            call_id = self.call_id(step, i)
            if c.name == "tool_search":
                items.append({"type": "tool_search_call", "id": f"ts_{n}_{i}", "call_id": call_id,
                              "status": "completed", "execution": "client", "arguments": c.input})
            elif isinstance(c.input, str):
                items.append({"type": "custom_tool_call", "id": f"ctc_{n}_{i}", "call_id": call_id,
                              "name": c.name, "input": c.input, "status": "completed"})
            else:
                item = {"type": "function_call", "id": f"fc_{n}_{i}", "call_id": call_id,
                        "name": c.name, "arguments": json.dumps(c.input), "status": "completed"}
                if c.namespace:
                    item["namespace"] = c.namespace
                items.append(item)
        if not items:
            items.append({"type": "message", "id": f"msg_{n}", "role": "assistant",
                          "status": "completed",
                          "content": [{"type": "output_text", "text": self.final_text,
                                       "annotations": []}]})
        response = {"id": f"resp_{n}", "object": "response", "status": "in_progress",
                    "model": body.get("model") or "mock", "output": []}
        events: list[dict] = [{"type": "response.created", "response": response}]
        for i, item in enumerate(items):
            events += [{"type": "response.output_item.added", "output_index": i, "item": item},
                       {"type": "response.output_item.done", "output_index": i, "item": item}]
        usage = {"input_tokens": 100, "input_tokens_details": {"cached_tokens": 0},
                 "output_tokens": 10, "output_tokens_details": {"reasoning_tokens": 0},
                 "total_tokens": 110}
        events.append({"type": "response.completed",
                       "response": {**response, "status": "completed", "output": items, "usage": usage}})
        return 200, "text/event-stream", _sse(events)

"""A scripted local stand-in for the model APIs the real agent CLIs talk to, in every protocol.

``MockModel`` runs on 127.0.0.1 (port 0) in a daemon thread and speaks whichever protocol a
request arrives in:

- Anthropic Messages (``POST /v1/messages``, SSE or JSON): Claude Code;
- OpenAI Responses (``POST /v1/responses``, SSE): Codex;
- OpenAI chat completions (``POST /v1/chat/completions``, SSE or JSON): Copilot CLI, Factory
  Droid, OpenCode;
- Gemini ``generateContent`` / ``streamGenerateContent`` (``POST /v1beta/models/M:…``): Gemini CLI.

It plays a fixed script: step N is the list of tool calls the "model" makes in its N-th turn;
once the script is used up it answers with plain text and ends the turn. The step a request is
at comes from the tool-call ids already in the conversation (``<prefix>s<step>c<i>``), so
retries and side requests (titles, routing, summaries: requests that offer no tools) never
advance the script. A step may also be a function of the results so far
(``results -> [ToolUse]``), for a model that reacts to what it saw.

What came back for each tool call (the hook's denial reason, the command's output) is recorded
in ``results`` keyed by ``(step, index)``, for tests to assert on.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

FINAL_TEXT = "All done."
CALL_ID = re.compile(r"s(\d+)c(\d+)$")
# What a side request that wants JSON back gets (Gemini's model router and next-speaker check).
SIDE_JSON = {"complexity_reasoning": "mock", "complexity_score": 1, "reasoning": "mock",
             "next_speaker": "user"}


@dataclass(frozen=True)
class ToolUse:
    """One tool call the scripted model makes: the agent-side tool name and its input.

    ``namespace`` is for Responses API namespaced tools (Codex exposes MCP server ``x``'s tools
    in namespace ``mcp__x`` after a ``tool_search``). A string input is a Responses freeform
    tool call (Codex's ``apply_patch`` grammar tool). ``hooked`` is False for a call the agent
    runs without its pre-tool hook (Codex's ``tool_search``).
    """

    name: str
    input: dict | str
    namespace: str | None = None
    hooked: bool = True


@dataclass
class ToolResult:
    """What the agent sent back to the model for one tool call (``is_error`` where the protocol says)."""

    text: str
    is_error: bool = False


@dataclass
class Request:
    """One HTTP request the mock received."""

    method: str
    path: str
    body: Any = None


def _text_of(content: Any) -> str:
    """Flatten a tool result's content (a string, content blocks, an object) into text."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(_text_of(part) for part in content)
    if isinstance(content, dict):
        for key in ("text", "output", "content", "error", "llmContent"):
            if key in content:
                return _text_of(content[key])
    return "" if content is None else json.dumps(content)


def _sse(events: list[dict], *, named: bool) -> bytes:
    """Server-sent events: ``event:`` lines for Anthropic/Responses, bare ``data:`` otherwise."""
    out = []
    for e in events:
        head = f"event: {e['type']}\n" if named else ""
        out.append(f"{head}data: {json.dumps(e)}\n\n")
    return "".join(out).encode()


class MockModel:
    """The scripted model, serving every protocol on one port."""

    def __init__(self, steps: list | None = None, final_text: str = FINAL_TEXT):
        self.steps = [step if callable(step) else list(step) for step in (steps or [])]
        self.final_text = final_text
        self.requests: list[Request] = []
        self.results: dict[tuple[int, int], ToolResult] = {}
        self.issued: dict[tuple[int, int], ToolUse] = {}  # every tool call the model made
        self.unhandled: list[Request] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._url = ""

    # -- the script
    @staticmethod
    def call_id(step: int, index: int, prefix: str = "call_") -> str:
        """The id the mock gives the ``index``-th tool call of ``step``."""
        return f"{prefix}s{step}c{index}"

    @staticmethod
    def step_of(ids: list[str]) -> int:
        """The script step a conversation holding these tool-call ids is at."""
        seen = [int(m.group(1)) for i in ids if isinstance(i, str) and (m := CALL_ID.search(i))]
        return max(seen) + 1 if seen else 0

    def calls_at(self, step: int) -> list[ToolUse]:
        """The tool calls of script step ``step`` (none once the script is used up)."""
        if step >= len(self.steps):
            return []
        planned = self.steps[step]
        calls = list(planned(self.results_by_id()) if callable(planned) else planned)
        with self._lock:
            self.issued.update(((step, i), c) for i, c in enumerate(calls))
        return calls

    def results_by_id(self) -> dict[str, ToolResult]:
        """The results so far keyed ``s<step>c<i>`` (what a callable step gets)."""
        with self._lock:
            return {f"s{s}c{i}": r for (s, i), r in self.results.items()}

    def result(self, step: int, index: int = 0) -> ToolResult:
        """What came back for the ``index``-th tool call of ``step`` (KeyError if nothing did)."""
        return self.results[(step, index)]

    def _record(self, call_id: Any, text: str, is_error: bool = False) -> None:
        m = CALL_ID.search(call_id) if isinstance(call_id, str) else None
        if m:
            with self._lock:
                self.results[(int(m.group(1)), int(m.group(2)))] = ToolResult(text, is_error)

    def tool_names(self) -> set[str]:
        """Every tool name the agent offered the model, across requests and protocols."""
        names: set[str] = set()
        for req in self.requests:
            body = req.body if isinstance(req.body, dict) else {}
            for tool in body.get("tools") or []:
                if not isinstance(tool, dict):
                    continue
                names.add(tool.get("name") or (tool.get("function") or {}).get("name") or tool.get("type"))
                names.update(d.get("name") for d in tool.get("functionDeclarations") or [])
        return {n for n in names if n}

    # -- the server
    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (still known after ``stop``)."""
        assert self._url, "mock not started"
        return self._url

    def start(self) -> MockModel:
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
                req = Request(method, self.path, self._body() if method == "POST" else None)
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
        self._url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> MockModel:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def answer(self, req: Request) -> tuple[int, str, bytes] | None:
        """The (status, content type, body) for one request; None means 404."""
        path = req.path.split("?", 1)[0]
        if req.method in ("HEAD", "GET") and path in ("/", "/v1"):
            return 200, "text/plain", b"ok"
        if req.method == "GET" and path.endswith("/models"):
            return 200, "application/json", json.dumps(
                {"object": "list", "data": [{"id": "mock-model", "object": "model", "owned_by": "mock"}]}).encode()
        if req.method != "POST" or not isinstance(req.body, dict):
            return None
        if path == "/v1/messages/count_tokens":
            return 200, "application/json", b'{"input_tokens": 100}'
        if path == "/v1/messages":
            return self._anthropic(req.body)
        if path == "/v1/responses":
            return self._responses(req.body)
        if path.endswith("/chat/completions"):
            return self._chat(req.body)
        if path.startswith("/v1beta/models/") and ":" in path:
            return self._gemini(req.body, stream=path.endswith(":streamGenerateContent"))
        return None

    # -- Anthropic Messages (Claude Code)
    def _anthropic(self, body: dict):
        ids = []
        for message in body.get("messages") or []:
            content = message.get("content")
            for block in content if isinstance(content, list) else []:
                if not isinstance(block, dict):
                    continue
                if block.get("type") == "tool_use":
                    ids.append(block.get("id", ""))
                elif block.get("type") == "tool_result":
                    self._record(block.get("tool_use_id"), _text_of(block.get("content")),
                                 bool(block.get("is_error")))
        step = self.step_of(ids)
        calls = self.calls_at(step) if body.get("tools") else []
        blocks = [{"type": "tool_use", "id": self.call_id(step, i, "toolu_"), "name": c.name, "input": c.input}
                  for i, c in enumerate(calls)] or [{"type": "text", "text": self.final_text}]
        stop = "tool_use" if calls else "end_turn"
        model = body.get("model") or "claude-mock"
        n = len(self.requests)
        if not body.get("stream"):
            message = {"id": f"msg_mock_{n}", "type": "message", "role": "assistant", "model": model,
                       "content": blocks, "stop_reason": stop, "stop_sequence": None,
                       "usage": {"input_tokens": 100, "output_tokens": 10}}
            return 200, "application/json", json.dumps(message).encode()
        events: list[dict] = [{"type": "message_start", "message": {
            "id": f"msg_mock_{n}", "type": "message", "role": "assistant", "model": model, "content": [],
            "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 100, "output_tokens": 1}}}]
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
                    "usage": {"output_tokens": 10}}, {"type": "message_stop"}]
        return 200, "text/event-stream", _sse(events, named=True)

    # -- OpenAI Responses (Codex)
    def _responses(self, body: dict):
        """A dict input becomes a ``function_call``; a string input a ``custom_tool_call``; a call
        named ``tool_search`` a client-executed ``tool_search_call``."""
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
                self._record(item.get("call_id"), _text_of(output), failed)
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
            items.append({"type": "message", "id": f"msg_{n}", "role": "assistant", "status": "completed",
                          "content": [{"type": "output_text", "text": self.final_text, "annotations": []}]})
        response = {"id": f"resp_{n}", "object": "response", "status": "in_progress",
                    "model": body.get("model") or "mock", "output": []}
        events: list[dict] = [{"type": "response.created", "response": response}]
        for i, item in enumerate(items):
            events += [{"type": "response.output_item.added", "output_index": i, "item": item},
                       {"type": "response.output_item.done", "output_index": i, "item": item}]
        usage = {"input_tokens": 100, "input_tokens_details": {"cached_tokens": 0}, "output_tokens": 10,
                 "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 110}
        events.append({"type": "response.completed",
                       "response": {**response, "status": "completed", "output": items, "usage": usage}})
        return 200, "text/event-stream", _sse(events, named=True)

    # -- OpenAI chat completions (Copilot CLI, Factory Droid, OpenCode)
    def _chat(self, body: dict):
        ids = []
        for message in body.get("messages") or []:
            if not isinstance(message, dict):
                continue
            for call in message.get("tool_calls") or []:
                ids.append(call.get("id", "") if isinstance(call, dict) else "")
            if message.get("role") == "tool":
                self._record(message.get("tool_call_id"), _text_of(message.get("content")))
        step = self.step_of(ids)
        calls = self.calls_at(step) if body.get("tools") else []
        tool_calls = [{"index": i, "id": self.call_id(step, i), "type": "function",
                       "function": {"name": c.name, "arguments": json.dumps(c.input)}}
                      for i, c in enumerate(calls)]
        text = None if calls else self.final_text
        finish = "tool_calls" if calls else "stop"
        model = body.get("model") or "mock-model"
        n, created = len(self.requests), int(time.time())
        usage = {"prompt_tokens": 100, "completion_tokens": 10, "total_tokens": 110}
        head = {"id": f"chatcmpl-{n}", "created": created, "model": model}
        if not body.get("stream"):
            message = {"role": "assistant", "content": text}
            if tool_calls:
                message["tool_calls"] = [{k: v for k, v in c.items() if k != "index"} for c in tool_calls]
            answer = {**head, "object": "chat.completion", "usage": usage,
                      "choices": [{"index": 0, "message": message, "finish_reason": finish}]}
            return 200, "application/json", json.dumps(answer).encode()
        chunk = {**head, "object": "chat.completion.chunk"}
        delta: dict = {"role": "assistant", "content": text}
        if tool_calls:
            delta["tool_calls"] = tool_calls
        events = [{**chunk, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]},
                  {**chunk, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]},
                  {**chunk, "choices": [], "usage": usage}]
        return 200, "text/event-stream", _sse(events, named=False) + b"data: [DONE]\n\n"

    # -- Gemini generateContent / streamGenerateContent (Gemini CLI)
    def _gemini(self, body: dict, *, stream: bool):
        ids = []
        for content in body.get("contents") or []:
            for part in content.get("parts") or [] if isinstance(content, dict) else []:
                if not isinstance(part, dict):
                    continue
                if "functionCall" in part:
                    ids.append(part["functionCall"].get("id", ""))
                elif "functionResponse" in part:
                    response = part["functionResponse"]
                    got = response.get("response") or {}
                    failed = isinstance(got, dict) and "error" in got
                    self._record(response.get("id"), _text_of(got), failed)
        has_tools = any(t.get("functionDeclarations") for t in body.get("tools") or [] if isinstance(t, dict))
        step = self.step_of(ids)
        calls = self.calls_at(step) if has_tools else []
        if calls:
            parts = [{"functionCall": {"id": self.call_id(step, i), "name": c.name, "args": c.input}}
                     for i, c in enumerate(calls)]
        else:
            parts = [{"text": self.final_text if has_tools else json.dumps(SIDE_JSON)}]
        answer = {"candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": "STOP",
                                  "index": 0}],
                  "usageMetadata": {"promptTokenCount": 100, "candidatesTokenCount": 10,
                                    "totalTokenCount": 110},
                  "modelVersion": "mock"}
        if stream:
            return 200, "text/event-stream", _sse([answer], named=False)
        return 200, "application/json", json.dumps(answer).encode()

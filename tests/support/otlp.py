"""A real OTLP/HTTP endpoint for the tests, decoding what arrives with ``opentelemetry-proto``.

It listens on 127.0.0.1 and answers ``POST /v1/logs`` and ``POST /v1/traces`` as a collector
does (protobuf in, protobuf out, gzip understood). Its behaviour can be switched while it runs:
``up`` (200), ``slow`` (answers after ``delay`` seconds), ``refusing`` (an HTTP error status), and
``down()`` / ``up()`` close and reopen its port, so a client meets a refused connection in between.
"""

from __future__ import annotations

import gzip
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from google.protobuf.json_format import MessageToDict
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest, ExportLogsServiceResponse
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest, ExportTraceServiceResponse,
)


def any_value(value) -> object:
    """An OTLP AnyValue as plain Python."""
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return [any_value(v) for v in value.array_value.values]
    if kind == "kvlist_value":
        return {kv.key: any_value(kv.value) for kv in value.kvlist_value.values}
    return getattr(value, kind) if kind else None


def attributes(pairs) -> dict:
    return {kv.key: any_value(kv.value) for kv in pairs}


class Receiver:
    """The endpoint, what it received, and how it behaves now."""

    def __init__(self):
        self.logs: list[dict] = []
        self.spans: list[dict] = []
        self.requests: list[tuple[str, int]] = []   # (path, status answered)
        self.headers: list[dict] = []
        self.mode = "up"
        self.status = 503
        self.delay = 0.0
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None
        self.port = 0
        self.up()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def up(self) -> None:
        """Listen (again, on the same port) and answer 200."""
        self.mode = "up"
        if self.server is None:
            receiver = self

            class Handler(BaseHTTPRequestHandler):
                def do_POST(self):
                    receiver.handle(self)

                def log_message(self, *args):
                    pass

            ThreadingHTTPServer.allow_reuse_address = True
            self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
            self.server.daemon_threads = True
            self.port = self.server.server_address[1]
            threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def down(self) -> None:
        """Close the port: clients get a refused connection."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def slow(self, delay: float) -> None:
        self.mode, self.delay = "slow", delay

    def refusing(self, status: int) -> None:
        self.mode, self.status = "refusing", status

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        data = request.rfile.read(int(request.headers.get("Content-Length", 0)))
        encoding = request.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            data = gzip.decompress(data)
        elif encoding == "deflate":
            data = zlib.decompress(data)
        with self.lock:
            self.headers.append(dict(request.headers))
        if self.mode == "slow":
            time.sleep(self.delay)
        if self.mode == "refusing":
            self._answer(request, self.status, b"")
            return
        if request.path == "/v1/logs":
            message = ExportLogsServiceRequest.FromString(data)
            found = [{"resource": attributes(rl.resource.attributes), "scope": sl.scope.name,
                      "attributes": attributes(r.attributes), "body": any_value(r.body),
                      "severity_text": r.severity_text, "severity_number": r.severity_number,
                      "time_unix_nano": r.time_unix_nano, "event_name": r.event_name,
                      "trace_id": r.trace_id.hex(), "span_id": r.span_id.hex()}
                     for rl in message.resource_logs for sl in rl.scope_logs for r in sl.log_records]
            with self.lock:
                self.logs += found
            self._answer(request, 200, ExportLogsServiceResponse().SerializeToString())
        elif request.path == "/v1/traces":
            message = ExportTraceServiceRequest.FromString(data)
            found = [{**MessageToDict(s), "attributes": attributes(s.attributes), "trace_id": s.trace_id.hex(),
                      "span_id": s.span_id.hex(), "parent_span_id": s.parent_span_id.hex()}
                     for rs in message.resource_spans for ss in rs.scope_spans for s in ss.spans]
            with self.lock:
                self.spans += found
            self._answer(request, 200, ExportTraceServiceResponse().SerializeToString())
        else:
            self._answer(request, 404, b"")

    def _answer(self, request: BaseHTTPRequestHandler, status: int, body: bytes) -> None:
        with self.lock:
            self.requests.append((request.path, status))
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/x-protobuf")
            request.send_header("Content-Length", str(len(body)))
            request.end_headers()
            request.wfile.write(body)
        except OSError:
            pass  # the client gave up waiting (a slow endpoint)

    def wait_for(self, count: int, timeout: float = 30.0) -> list[dict]:
        """The log records received, once there are at least ``count`` (or after ``timeout``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.logs) < count:
            time.sleep(0.05)
        return list(self.logs)

    def close(self) -> None:
        self.down()

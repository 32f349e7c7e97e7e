"""A minimal MCP server over stdio for the agent scenarios: ``python mcp_stdio_server.py LOG``.

It offers two tools, ``delete_repo`` and ``list_issues``, and appends one JSON line per
``tools/call`` it actually runs to LOG, so a test can prove a blocked call never reached it.
Newline-delimited JSON-RPC 2.0, standard library only.
"""

from __future__ import annotations

import json
import sys

TOOLS = [
    {"name": "delete_repo", "description": "Delete a repository",
     "inputSchema": {"type": "object", "properties": {"repo": {"type": "string"}},
                     "required": ["repo"]}},
    {"name": "list_issues", "description": "List the open issues of a repository",
     "inputSchema": {"type": "object", "properties": {"repo": {"type": "string"}},
                     "required": ["repo"]}},
]


def handle(message: dict, log_path: str) -> dict | None:
    """The response to one JSON-RPC message (None for notifications)."""
    method = message.get("method")
    if "id" not in message:
        return None
    result: dict
    if method == "initialize":
        version = (message.get("params") or {}).get("protocolVersion") or "2025-06-18"
        result = {"protocolVersion": version, "capabilities": {"tools": {}},
                  "serverInfo": {"name": "testsrv", "version": "1.0.0"}}
    elif method == "tools/list":
        result = {"tools": TOOLS}
    elif method == "tools/call":
        params = message.get("params") or {}
        with open(log_path, "a", encoding="utf-8") as log:
            log.write(json.dumps(params) + "\n")
        result = {"content": [{"type": "text", "text": f"ran {params.get('name')}"}],
                  "isError": False}
    elif method == "ping":
        result = {}
    else:
        return {"jsonrpc": "2.0", "id": message["id"],
                "error": {"code": -32601, "message": f"method not found: {method}"}}
    return {"jsonrpc": "2.0", "id": message["id"], "result": result}


def main() -> None:
    log_path = sys.argv[1]
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            message = json.loads(line)
        except ValueError:
            continue
        reply = handle(message, log_path) if isinstance(message, dict) else None
        if reply is not None:
            sys.stdout.write(json.dumps(reply) + "\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main()

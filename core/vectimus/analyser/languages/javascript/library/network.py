"""The network: ``fetch``, ``http(s)``, axios, got, undici, sockets (``net``, ``tls``,
``Deno.connect``), WebSocket, DNS."""

from __future__ import annotations

from vectimus.analyser.languages import values as V
from vectimus.analyser.languages.folding import number, text, to_text
from vectimus.analyser.languages.javascript.library.arguments import arg, opt, options_after
from vectimus.analyser.languages.javascript.library.files import contents
from vectimus.analyser.languages.values import DICT, OBJ, Val


def _fetch(ev, args):
    target = arg(args, 0)
    options = arg(args, 1)
    if target is None:
        return V.obj("response", None)
    if target.kind == OBJ and target.value[0] == "request":
        options = options or target.value[1].get("options")
        target = target.value[1]["url"]
    body = tuple(contents(ev, x) for x in (opt(options, "body"), opt(options, "data")) if x is not None)
    headers = tuple(x for x in (opt(options, "headers"),) if x is not None)
    ev.fx.network(target, data=body, headers=headers, scheme="http")
    return V.obj("response", None)


def _request_obj(ev, args):
    return V.obj("request", {"url": arg(args, 0) or V.unknown("a URL"), "options": arg(args, 1)})


def _http_request(scheme: str):
    def handler(ev, args):
        first = arg(args, 0)
        options = first if first is not None and first.kind == DICT else options_after(args, 1)
        if first is not None and first.kind != DICT:
            target = first
        else:
            host = opt(options, "hostname") or opt(options, "host") or V.const("localhost")
            port = opt(options, "port")
            target = V.concat([V.const(f"{scheme}://"), host, V.const(":") if port is not None else V.const(""),
                               to_text(port) if port is not None else V.const(""),
                               opt(options, "path") or V.const("")])
        state = {"target": target, "scheme": scheme}
        ev.fx.network(target, headers=tuple(x for x in (opt(options, "headers"),) if x is not None), scheme=scheme)
        return V.obj("request", state)
    return handler


def _axios(method: str | None):
    """axios(config) / axios(url, config) / axios.get(url, config) / axios.post(url, data, config)."""
    def handler(ev, args, base: Val | None = None):
        first = arg(args, 0)
        if first is None:
            return V.obj("response", None)
        config: Val | None
        body: Val | None
        if first.kind == DICT:
            config = first
            target = opt(config, "url") or V.unknown("a URL")
            body = opt(config, "data")
        else:
            target = first
            if method in ("post", "put", "patch"):
                body, config = arg(args, 1), arg(args, 2)
            else:
                config = arg(args, 1)
                body = opt(config, "data")
        base = base or opt(config, "baseURL")
        if base is not None and not (text(target) or "").startswith(("http://", "https://")):
            target = V.concat([base, target])
        headers = tuple(x for x in (opt(config, "headers"), opt(config, "auth")) if x is not None)
        ev.fx.network(target, data=(body,) if body is not None else (), headers=headers, scheme="http")
        return V.obj("response", None)
    return handler


def _got(method: str | None):
    def handler(ev, args):
        target = arg(args, 0)
        options = options_after(args, 1)
        if target is not None and target.kind == DICT:
            options, target = target, opt(target, "url")
        if target is None:
            return V.obj("response", None)
        body = tuple(x for x in (opt(options, "body"), opt(options, "json"), opt(options, "form"),
                                 opt(options, "data")) if x is not None)
        headers = tuple(x for x in (opt(options, "headers"),) if x is not None)
        ev.fx.network(target, data=body, headers=headers, scheme="http")
        return V.obj("response", None)
    return handler


def _axios_create(ev, args):
    return V.obj("httpclient", {"base": opt(arg(args, 0), "baseURL")})


def _socket_connect(ev, sock: Val, args: list[Val]) -> None:
    first = arg(args, 0)
    if first is not None and first.kind == DICT:
        host = opt(first, "host") or opt(first, "hostname") or V.const("localhost")
        port = opt(first, "port")
        path = opt(first, "path")
        if path is not None and opt(first, "host") is None:
            return  # a unix socket
    else:
        port, host = first, arg(args, 1) or V.const("localhost")
    port_number = port.value if port is not None and number(port) and isinstance(port.value, int) else 0
    sock.value[1]["host"], sock.value[1]["port"] = host, port_number
    ev.fx.network(host, scheme="tcp", port=port_number)
    for a in args:
        if a.kind == OBJ and a.value[0] in ("func", "bound"):
            ev.callback(a, [])


def _net_connect(ev, args):
    sock = V.obj("socket", {})
    _socket_connect(ev, sock, args)
    return sock


def _deno_connect(ev, args):
    sock = V.obj("socket", {})
    options = arg(args, 0)
    host = opt(options, "hostname") or V.const("127.0.0.1")
    port = opt(options, "port")
    port_number = port.value if port is not None and number(port) and isinstance(port.value, int) else 0
    sock.value[1]["host"], sock.value[1]["port"] = host, port_number
    ev.fx.network(host, scheme="tcp", port=port_number)
    return sock


def _websocket(ev, args):
    target = arg(args, 0)
    if target is not None:
        ev.fx.network(target)
    return V.obj("socket", {"host": target, "port": 0})


def _dns(ev, args):
    host = arg(args, 0)
    if host is not None:
        ev.fx.network(host, data=(host,) if V.taint_of(host) else (), scheme="dns")
    return V.unknown("an address")


def _m_socket_connect(ev, owner, args):
    _socket_connect(ev, owner, args)
    return owner


def _m_socket_write(ev, owner, args):
    data = arg(args, 0)
    state = owner.value[1]
    if data is not None and V.taint_of(data) and state.get("host") is not None:
        ev.fx.network(state["host"], scheme="tcp", port=state.get("port", 0), data=(data,))
    return V.const(True)


def _m_pipe(ev, owner, args):
    """``socket.pipe(shell.stdin)`` / ``shell.stdout.pipe(socket)``: a program's streams on a socket."""
    target = arg(args, 0)
    pair = (owner, target)
    sock = next((v for v in pair if v is not None and v.kind == OBJ and v.value[0] == "socket"), None)
    stream = next((v for v in pair if v is not None and v.kind == OBJ and v.value[0] == "pstream"), None)
    if sock is not None and stream is not None:
        proc = stream.value[1]
        ev.fx.wiring(proc.value[1].get("program", "?"), wired=sock)
    return target if target is not None else V.NONE


def _m_request_write(ev, owner, args):
    data = arg(args, 0)
    state = owner.value[1]
    if data is not None and not (data.kind == OBJ and data.value[0] in ("func", "bound")):
        ev.fx.network(state["target"], data=(data,), scheme=state.get("scheme", "http"))
    for a in args:
        if a.kind == OBJ and a.value[0] in ("func", "bound"):
            ev.callback(a, [])
    return owner


def _m_on(ev, owner, args):
    for a in args[1:]:
        ev.callback(a, [V.unknown("an event", V.taint_of(owner))])
    return owner


def _m_http_client(method: str | None):
    def handler(ev, owner, args):
        base = owner.value[1].get("base") if owner.value[1] else None
        return _axios(method)(ev, args, base=base)
    return handler


METHODS = {
    ("socket", "connect"): _m_socket_connect, ("socket", "write"): _m_socket_write, ("socket", "end"): _m_socket_write,
    ("socket", "send"): _m_socket_write, ("socket", "pipe"): _m_pipe, ("pstream", "pipe"): _m_pipe,
    ("request", "write"): _m_request_write, ("request", "end"): _m_request_write,
}
for _verb in ("get", "post", "put", "patch", "delete", "head", "options", "request"):
    METHODS[("httpclient", _verb)] = _m_http_client(_verb if _verb != "request" else None)


GENERIC_METHODS = {"pipe": _m_pipe, "on": _m_on, "once": _m_on}
CALLS = {
    "fetch": _fetch, "fetch.default": _fetch, "undici.fetch": _fetch, "Request": _request_obj,
    "undici.request": _got(None), "http.request": _http_request("http"), "http.get": _http_request("http"),
    "https.request": _http_request("https"), "https.get": _http_request("https"),
    "axios": _axios(None), "axios.default": _axios(None), "axios.request": _axios(None), "axios.create": _axios_create,
    "got": _got(None), "got.default": _got(None), "net.connect": _net_connect, "net.createConnection": _net_connect,
    "tls.connect": _net_connect, "net.Socket": lambda ev, a: V.obj("socket", {}),
    "Deno.connect": _deno_connect, "Deno.connectTls": _deno_connect, "Bun.connect": _deno_connect,
    "WebSocket": _websocket, "ws": _websocket, "ws.WebSocket": _websocket,
    "dns.lookup": _dns, "dns.resolve": _dns, "dns.promises.lookup": _dns, "Deno.resolveDns": _dns,
}
for _verb in ("get", "post", "put", "patch", "delete", "head", "options"):
    CALLS[f"axios.{_verb}"] = _axios(_verb)
    CALLS[f"got.{_verb}"] = _got(_verb)


# Handlers that run the callbacks they are given themselves.
CALLBACKS = {"net.connect", "net.createConnection", "tls.connect"}

"""The network: requests/httpx/aiohttp/urllib3 and ``urllib``, ``http.client`` connections,
sockets, DNS look-ups and FTP/SMTP/telnet/POP/IMAP/SSH services, and the methods of their objects.
"""

from __future__ import annotations

from vectimus.analyser.languages import values as V
from vectimus.analyser.languages.folding import number, text
from vectimus.analyser.languages.python.library.names import arg
from vectimus.analyser.languages.values import CONST, OBJ, SEQ, Val

BODY = ("data", "json", "files", "content", "body", "fields", "params")


HEADERS = ("headers", "auth", "cookies")


HTTP_METHODS = {"get": "GET", "post": "POST", "put": "PUT", "patch": "PATCH", "delete": "DELETE",
                "head": "HEAD", "options": "OPTIONS", "stream": None, "request": None, "urlopen": None,
                "fetch": None, "send": None}


def http(ev, method: str | None, args: list[Val], kwargs: dict[str, Val], base: Val | None = None) -> Val:
    """An HTTP request by requests/httpx/aiohttp/urllib3 spelling: ``method`` None takes it first."""
    args = list(args)
    if method is None and "method" not in kwargs:
        args = args[1:]  # request(method, url, …): what is sent is in the body arguments
    url = arg(args, kwargs, 0, "url")
    if url is None:
        return V.obj("response", None)
    if base is not None and not (text(url) or "").startswith(("http://", "https://")):
        url = V.concat([base, url])
    body = tuple(kwargs[k] for k in BODY if k in kwargs)
    if len(args) > 1:
        body += (args[1],)
    headers = tuple(kwargs[k] for k in HEADERS if k in kwargs)
    ev.fx.network(url, data=body, headers=headers, scheme="http")
    return V.obj("response", None)


def _http_fn(method: str | None):
    return lambda ev, args, kwargs: http(ev, method, args, kwargs)


def _http_client(ev, args, kwargs):
    return V.obj("http", {"base": kwargs.get("base_url")})


def _urlopen(ev, args, kwargs):
    target = arg(args, kwargs, 0, "url")
    data = arg(args, kwargs, 1, "data")
    if target is None:
        return V.obj("response", None)
    for option in V.options(target):
        if option.kind == OBJ and option.value[0] == "request":
            req = option.value[1]
            body = tuple(x for x in (req.get("data"), data) if x is not None)
            ev.fx.network(req["url"], data=body, headers=req.get("headers", ()), scheme="http")
        else:
            ev.fx.network(option, data=(data,) if data is not None else (), scheme="http")
    return V.obj("response", None)


def _request_obj(ev, args, kwargs):
    url = arg(args, kwargs, 0, "url")
    data = arg(args, kwargs, 1, "data")
    headers = arg(args, kwargs, 2, "headers")
    return V.obj("request", {"url": url if url is not None else V.unknown("a URL"), "data": data,
                             "headers": (headers,) if headers is not None else ()})


def _urlretrieve(ev, args, kwargs):
    url = arg(args, kwargs, 0, "url")
    if url is not None:
        ev.fx.network(url, scheme="http")
    target = arg(args, kwargs, 1, "filename")
    if target is not None:
        ev.fx.file("file_write", target)
    return V.unknown("a download")


def _connection(scheme: str):
    def handler(ev, args, kwargs):
        host = arg(args, kwargs, 0, "host")
        port = arg(args, kwargs, 1, "port")
        return V.obj("httpconn", {"scheme": scheme, "host": host if host is not None else V.unknown("a host"),
                                  "port": port.value if port is not None and number(port) else 0})
    return handler


def _service(scheme: str, host_kw: str = "host"):
    """ftplib.FTP / smtplib.SMTP / telnetlib.Telnet / poplib / imaplib: a connection to a host."""
    def handler(ev, args, kwargs):
        host = arg(args, kwargs, 0, host_kw)
        port = arg(args, kwargs, 1, "port")
        state = {"host": host, "port": port.value if port is not None and number(port) else 0, "scheme": scheme}
        if host is not None and not (host.kind == CONST and not host.value):
            ev.fx.network(host, scheme=scheme, port=state["port"])
        return V.obj("service", state)
    return handler


def _socket(ev, args, kwargs):
    return V.obj("socket", {})


def _address(ev, v: Val | None) -> tuple[Val | None, int]:
    if v is None:
        return None, 0
    if v.kind == SEQ and len(v.value) >= 2:
        port = v.value[1]
        return v.value[0], port.value if number(port) and isinstance(port.value, int) else 0
    if v.kind == CONST and isinstance(v.value, str):
        return v, 0  # an AF_UNIX path
    return V.unknown("an address", V.taint_of(v)), 0


def _connect(ev, sock: Val, address: Val | None) -> None:
    host, port = _address(ev, address)
    if host is None:
        return
    sock.value[1]["host"], sock.value[1]["port"] = host, port
    if host.kind == CONST and isinstance(host.value, str) and host.value.startswith("/"):
        return  # a unix socket
    ev.fx.network(host, scheme="tcp", port=port, data=(host,) if V.taint_of(host) else ())


def _create_connection(ev, args, kwargs):
    sock = V.obj("socket", {})
    _connect(ev, sock, arg(args, kwargs, 0, "address"))
    return sock


def _gethostbyname(ev, args, kwargs):
    host = args[0] if args else None
    if host is not None:
        ev.fx.network(host, data=(host,) if V.taint_of(host) else (), scheme="dns")
    return V.unknown("an address")


def _ssl_wrap(ev, args, kwargs):
    return args[0] if args else V.obj("socket", {})


def _m_socket_connect(ev, owner, args, kwargs):
    _connect(ev, owner, args[0] if args else None)
    return V.NONE


def _m_socket_bind(ev, owner, args, kwargs):
    host, port = _address(ev, args[0] if args else None)
    if host is not None and not (host.kind == CONST and isinstance(host.value, str) and host.value.startswith("/")):
        if host.kind == CONST and host.value == "":
            host = V.const("0.0.0.0")
        ev.fx.network(host, scheme="tcp", port=port, listens=True)
    return V.NONE


def _m_socket_send(ev, owner, args, kwargs):
    data = args[0] if args else None
    state = owner.value[1]
    if data is not None and V.taint_of(data) and state.get("host") is not None:
        ev.fx.network(state["host"], scheme="tcp", port=state.get("port", 0), data=(data,))
    return V.unknown("a count")


def _m_socket_sendto(ev, owner, args, kwargs):
    data = args[0] if args else None
    host, port = _address(ev, args[-1] if len(args) > 1 else None)
    if host is not None:
        ev.fx.network(host, scheme="udp", port=port, data=(data,) if data is not None else ())
    return V.unknown("a count")


def _open_connection(ev, args, kwargs):
    """asyncio.open_connection(host, port): a reader and a writer on one socket."""
    sock = V.obj("socket", {})
    _connect(ev, sock, V.seq([arg(args, kwargs, 0, "host") or V.const("localhost"),
                              arg(args, kwargs, 1, "port") or V.const(0)]))
    return V.seq([V.unknown("a stream reader"), sock])


def _m_socket_recv(ev, owner, args, kwargs):
    return V.unknown("data from the network")


def _m_service_send(ev, owner, args, kwargs):
    state = owner.value[1]
    data = tuple(a for a in args if V.taint_of(a))
    if data and state.get("host") is not None:
        ev.fx.network(state["host"], scheme=state.get("scheme", ""), port=state.get("port", 0), data=data)
    return V.unknown("a reply")


def _m_service_connect(ev, owner, args, kwargs):
    state = owner.value[1]
    host = arg(args, kwargs, 0, "hostname", "host")
    if host is not None:
        state["host"] = host
        ev.fx.network(host, scheme=state.get("scheme", "ssh"))
    return V.NONE


def _m_http(method: str | None):
    def handler(ev, owner, args, kwargs):
        data = owner.value[1] or {}
        return http(ev, method, args, kwargs, base=data.get("base"))
    return handler


def _m_conn_request(ev, owner, args, kwargs):
    state = owner.value[1]
    url = arg(args, kwargs, 1, "url")
    body = arg(args, kwargs, 2, "body")
    headers = arg(args, kwargs, 3, "headers")
    _conn_network(ev, state, url, (body,) if body is not None else (), (headers,) if headers is not None else ())
    return V.NONE


def _m_conn_send(ev, owner, args, kwargs):
    if args:
        _conn_network(ev, owner.value[1], None, (args[0],), ())
    return V.NONE


def _conn_network(ev, state, url, body, headers) -> None:
    host = state["host"]
    port = state.get("port") or 0
    prefix = V.concat([V.const(state["scheme"] + "://"), host, V.const(f":{port}" if port else "")])
    target = V.concat([prefix, url]) if url is not None else prefix
    ev.fx.network(target, data=body, headers=headers, scheme=state["scheme"])


def _m_response(ev, owner, args, kwargs):
    return V.unknown("a response body")


# -- tables ----------------------------------------------------------------------------------------

CALLS: dict = {
    "urllib.request.urlopen": _urlopen, "urllib.urlopen": _urlopen, "urllib.request.Request": _request_obj,
    "urllib.request.urlretrieve": _urlretrieve, "urllib.urlretrieve": _urlretrieve,
    "http.client.HTTPConnection": _connection("http"), "http.client.HTTPSConnection": _connection("https"),
    "httplib.HTTPConnection": _connection("http"), "httplib.HTTPSConnection": _connection("https"),
    "requests.Session": _http_client, "requests.session": _http_client, "httpx.Client": _http_client,
    "httpx.AsyncClient": _http_client, "aiohttp.ClientSession": _http_client,
    "urllib3.PoolManager": _http_client, "urllib3.request": _http_fn(None), "socket.socket": _socket,
    "socket.create_connection": _create_connection, "asyncio.open_connection": _open_connection,
    "socket.gethostbyname": _gethostbyname, "socket.getaddrinfo": _gethostbyname,
    "socket.gethostbyname_ex": _gethostbyname, "ssl.wrap_socket": _ssl_wrap,
    "ssl.SSLContext.wrap_socket": _ssl_wrap, "ftplib.FTP": _service("ftp"), "ftplib.FTP_TLS": _service("ftp"),
    "smtplib.SMTP": _service("smtp"), "smtplib.SMTP_SSL": _service("smtp"),
    "telnetlib.Telnet": _service("telnet"), "poplib.POP3": _service("pop3"), "imaplib.IMAP4": _service("imap"),
    "imaplib.IMAP4_SSL": _service("imap"),
    "paramiko.SSHClient": lambda ev, a, k: V.obj("service", {"scheme": "ssh"}),
}

METHODS: dict = {
    ("socket", "connect"): _m_socket_connect, ("socket", "connect_ex"): _m_socket_connect,
    ("socket", "bind"): _m_socket_bind, ("socket", "send"): _m_socket_send,
    ("socket", "sendall"): _m_socket_send, ("socket", "sendto"): _m_socket_sendto,
    ("socket", "write"): _m_socket_send, ("socket", "recv"): _m_socket_recv,
    ("socket", "recvfrom"): _m_socket_recv, ("service", "storbinary"): _m_service_send,
    ("service", "storlines"): _m_service_send, ("service", "sendmail"): _m_service_send,
    ("service", "send_message"): _m_service_send, ("service", "write"): _m_service_send,
    ("service", "connect"): _m_service_connect, ("service", "exec_command"): _m_response,
    ("httpconn", "request"): _m_conn_request, ("httpconn", "send"): _m_conn_send,
    ("httpconn", "putrequest"): lambda ev, o, a, k: _m_conn_request(ev, o, [*a[:2]], {}),
    ("httpconn", "endheaders"): lambda ev, o, a, k: _m_conn_send(ev, o, a, k) if a else V.NONE,
    ("response", "read"): _m_response, ("response", "json"): _m_response,
}

PROPERTIES: dict = {
    ("socket", "fd"): lambda ev, o: V.obj("fd", o),
    ("response", "text"): lambda ev, o: V.unknown("a response body"),
    ("response", "content"): lambda ev, o: V.unknown("a response body"),
}
for _verb, _method in HTTP_METHODS.items():
    METHODS[("http", _verb)] = _m_http(_method)
for _lib in ("requests", "httpx"):
    for _verb, _method in HTTP_METHODS.items():
        if _verb not in ("urlopen", "fetch", "send"):
            CALLS[f"{_lib}.{_verb}"] = _http_fn(_method)

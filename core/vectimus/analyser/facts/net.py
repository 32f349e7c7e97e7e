"""Network destinations: URL and host facts, and the network action a destination becomes.

Standard library only: used on the hot path.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus.model import NetFacts

METADATA_HOSTS = {"169.254.169.254", "fd00:ec2::254", "metadata.google.internal", "metadata",
                  "metadata.azure.com", "100.100.100.200", "169.254.170.2", "metadata.goog",
                  "instance-data", "instance-data.ec2.internal", "metadata.tencentyun.com",
                  "metadata.packet.net", "metadata.platformequinix.com"}
# Wildcard DNS services answer with the address written in the name (169.254.169.254.nip.io).
# (compiled through re's cache when a host is classified)
_ADDRESS_IN_NAME = (r"^(?:.*?[.-])?(\d{1,3}(?:[.-]\d{1,3}){3}|[0-9a-f]{8})\."
                    r"(?:nip\.io|sslip\.io|xip\.io|nip\.direct|traefik\.me|backname\.io)$")
_LOOPBACK_NAMES = ("localtest.me", "lvh.me", "vcap.me", "lacolhost.com", "localho.st")
# Names that only resolve inside a cluster or cloud network (the Kubernetes API, GCE internals).
_INTERNAL_SUFFIXES = (".svc", ".svc.cluster.local", ".cluster.local", ".internal", ".consul")
_INTERNAL_NAMES = {"kubernetes", "kubernetes.default"}
DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21, "ssh": 22, "sftp": 22, "scp": 22,
                 "rsync": 873, "git": 9418, "ws": 80, "wss": 443, "telnet": 23}
_SCP_LIKE = re.compile(r"^(?:[^@/\s]+@)?(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+):(?!//)")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def is_url(text: str) -> bool:
    """True for ``scheme://…``."""
    return bool(_URL.match(text))


def looks_remote(text: str) -> bool:
    """True for a URL or a scp-style ``[user@]host:path`` operand."""
    return is_url(text) or bool(_SCP_LIKE.match(text))


def net_facts(target: str, *, scheme: str = "", port: int = 0, sends_data: bool = False,
              sends_secret: bool = False, listens: bool = False) -> NetFacts:
    """Facts for a URL, a scp-style ``user@host:path`` or a bare ``host[:port]``."""
    url = target
    host = ""
    if is_url(target):
        try:
            parts = urlsplit(target)
        except ValueError:  # a malformed [IPv6] host
            parts = urlsplit(target.replace("[", "").replace("]", ""))
        scheme = parts.scheme.lower()
        netloc = parts.netloc.rpartition("@")[2]
        host, port = _host_port(netloc, port)
    elif (m := _SCP_LIKE.match(target)) and not target[m.end():].split("/")[0].isdigit():
        host = m.group(1)
        scheme = scheme or "ssh"
    else:
        head = target.split("/", 1)[0].rpartition("@")[2]
        host, port = _host_port(head, port)
    host = host.strip("[]").rstrip(".").lower()
    if not port and scheme:
        port = DEFAULT_PORTS.get(scheme, 0)
    ip = _ip(host)
    if ip is not None:
        host = str(ip)
    named = _ip(_named_address(host)) if ip is None else None  # what a wildcard-DNS name resolves to
    address = ip or named
    loopback = (address is not None and address.is_loopback) or host == "localhost" or host.endswith(
        (".localhost", *("." + n for n in _LOOPBACK_NAMES))) or host in _LOOPBACK_NAMES
    link_local = address is not None and address.is_link_local
    internal = host in _INTERNAL_NAMES or host.endswith(_INTERNAL_SUFFIXES)
    return NetFacts(
        url=url, scheme=scheme, host=host, port=port, is_ip=ip is not None, is_loopback=loopback,
        is_private=(address is not None and address.is_private and not loopback and not link_local) or (
            internal and host not in METADATA_HOSTS),
        is_link_local=link_local,
        is_metadata=host in METADATA_HOSTS or (named is not None and str(named) in METADATA_HOSTS),
        sends_data=sends_data or sends_secret, sends_secret=sends_secret, listens=listens)


def _named_address(host: str) -> str:
    """The address a wildcard-DNS name spells (``10-0-0-1.sslip.io`` -> ``10.0.0.1``), else ""."""
    m = re.match(_ADDRESS_IN_NAME, host)
    if m is None:
        return ""
    text = m.group(1)
    if "." not in text and "-" not in text:
        return ".".join(str(int(text[i:i + 2], 16)) for i in range(0, 8, 2))
    return text.replace("-", ".")


def _host_port(netloc: str, port: int) -> tuple[str, int]:
    if netloc.startswith("["):
        host, _, rest = netloc[1:].partition("]")
        rest = rest.lstrip(":")
    elif netloc.count(":") == 1:
        host, _, rest = netloc.partition(":")
    else:
        host, rest = netloc, ""
    if rest.isdigit():
        port = int(rest)
    return host, port


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a host names, including legacy spellings (``2852039166``, ``0xA9FEA9FE``)."""
    if not host:
        return None
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        if not re.fullmatch(r"[0-9a-fA-Fx.]+", host) or not host[0].isdigit():
            return None
        import socket  # rare: a legacy spelling of an IPv4 address

        try:
            ip = ipaddress.ip_address(socket.inet_aton(host))
        except (OSError, ValueError):
            return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def remote(an: Analysis, cmd: Cmd, program: str, word: Word, *, sends_data: bool = False,
           sends_secret: bool = False, scheme: str = "", port: int = 0, listens: bool = False,
           sent: tuple[Word, ...] = (), auth: tuple[Word, ...] = (), channel: str = "") -> None:
    """Record a network action to the destination ``word`` names.

    ``sent`` (bodies, messages, other headers) and ``auth`` (authorization headers, ``-u``) are
    what the request carries besides the URL: they, the URL's query and its user info are scanned
    for credentials (``facts.secrets``). A credential in its own service's auth slot (a GitHub
    token to api.github.com) is use; anywhere else, or data read from a secret, is sending it.
    """
    facts = net_facts(word.text, scheme=scheme, port=port, sends_data=sends_data,
                      sends_secret=sends_secret or (sends_data and word.secret), listens=listens)
    kinds: tuple[str, ...] = ()
    if sent or auth or "?" in word.text or "@" in word.text or "$" in word.text:
        from vectimus.analyser.facts import secrets

        kinds, leak = secrets.leaks(facts.host, word, sent, auth)
        if leak:
            facts = facts._replace(sends_secret=True, sends_data=True)
    if channel:
        facts = facts._replace(channel=channel)
    an.network(facts, cmd, program=program, dynamic=word.dynamic, secrets=kinds)

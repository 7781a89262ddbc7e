"""The URL rules for every address the tracker connects to on someone else's say-so: an outbound webhook endpoint
(checked when it is saved and again before every request) and a file an upstream system points at (checked
before every fetch, each redirect hop included). `http.py` is the one client that applies them.

1. `https` only.
2. No user name or password in the URL, no backslashes, spaces or control characters.
3. The host is a name, never an IP address in any notation: dotted, decimal (`2130706433`), hex (`0x7f.1`),
   octal (`0177.0.0.1`), short (`127.1`), IPv6 (`[::1]`, `[::ffff:127.0.0.1]`), or digits in another script
   (`１２７.０.０.１`, which IDNA folds to 127.0.0.1). A name whose last label is a number counts as an address,
   as browsers read it (WHATWG URL: "ends in a number").
4. The name has at least two labels and is none of the names Creative Force refuses (seed 002: `localhost`,
   `.local`, `.internal`, `metadata.google`, `localtest.me` ...), nor a wildcard-DNS service that answers with the
   address written in the name (`nip.io`, `sslip.io` ...), nor this site's own host.
5. Every address the name resolves to is public: loopback, private, link-local, CGNAT (100.64/10), multicast,
   reserved, unspecified and documentation ranges are refused, also when wrapped in IPv6 (IPv4-mapped, 6to4,
   Teredo, NAT64). The request then connects to the address that was checked (`http.py`), so a second DNS
   answer (rebinding) never decides where it goes.

WEBHOOK_EXEMPT_HOSTS (and its older name OUTBOUND_WEBHOOK_EXEMPT_HOSTS, still read) lists hosts these rules do not
apply to (plain http, loopback): for local development and the tests' receiver. It is empty in production, and
`integrations.outbound.checks` warns when it is not.

`resolve(host, port)` is the one place a name is looked up: tests replace it (there is no public DNS here).
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from django.conf import settings

from tracker.errors import ApplicationError

MAX_URL_LENGTH = 2000

# Seed 002's list, the wildcard-DNS services that resolve to the address spelled in the name, and the cloud
# metadata names. Matched as the whole host or a suffix after a dot ("x.localtest.me").
REFUSED_NAMES = (
    "localhost",
    "local",
    "internal",
    "localdomain",
    "home.arpa",
    "arpa",
    "metadata",
    "metadata.google",
    "metadata.google.internal",
    "instance-data",
    "burpcollaborator.net",
    "oastify.com",
    "ram.aliyuncs.com",
    "fuf.me",
    "localtest.me",
    "ulh.us",
    "lvh.me",
    "vcap.me",
    "nip.io",
    "sslip.io",
    "xip.io",
)

_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_NOT_PUBLIC_V4 = tuple(
    ipaddress.ip_network(n)
    for n in ("0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4")
)
_LABEL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


class AddressRefused(ApplicationError):
    """The URL breaks one of the rules above; the message says which, for the form and the log."""


@dataclass(frozen=True)
class Target:
    """A URL that passed the rules that need no lookup: where to connect and what to send."""

    url: str
    scheme: str
    host: str
    port: int
    path: str
    exempt: bool

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, in the resolver's order. The seam tests replace."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def exempt_hosts() -> set[str]:
    """The hosts the rules do not apply to: WEBHOOK_EXEMPT_HOSTS and the older OUTBOUND_WEBHOOK_EXEMPT_HOSTS."""
    hosts = [*settings.WEBHOOK_EXEMPT_HOSTS, *settings.OUTBOUND_WEBHOOK_EXEMPT_HOSTS]
    return {host.strip().lower().rstrip(".") for host in hosts if host.strip()}


def _ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
        return True
    except ValueError:
        pass
    last = host.rstrip(".").rsplit(".", 1)[-1]
    if last.isdigit() or (last[:2] == "0x" and all(c in "0123456789abcdef" for c in last[2:])):
        return True
    try:
        socket.inet_aton(host)  # whatever the C library would read as IPv4 ("127.1", "0x7f.1", "017700000001")
        return True
    except (OSError, ValueError, UnicodeError):
        return False


def _refused_name(host: str) -> str | None:
    own = urlsplit(settings.TRACKER_PUBLIC_URL).hostname or ""
    for name in (*REFUSED_NAMES, own.lower()):
        if name and (host == name or host.endswith("." + name)):
            return name
    return None


def _ascii_host(raw: str) -> str:
    try:
        host = raw.encode("idna").decode("ascii") if not raw.isascii() else raw
    except UnicodeError as error:
        raise AddressRefused(f"the host {raw!r} is not a valid name") from error
    return host.lower().rstrip(".")


def parse_target(url: str) -> Target:
    """Apply the rules that need no DNS lookup (1-4). Raises AddressRefused saying which rule failed."""
    url = (url or "").strip()
    if not url:
        raise AddressRefused("enter the endpoint's URL")
    if len(url) > MAX_URL_LENGTH:
        raise AddressRefused(f"the URL is longer than {MAX_URL_LENGTH} characters")
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 or c == "\\" for c in url):
        raise AddressRefused("the URL contains spaces, control characters or backslashes")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise AddressRefused(f"the URL cannot be read: {error}") from error
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise AddressRefused("the URL must start with https://")
    if "@" in parts.netloc:
        raise AddressRefused("the URL must not contain a user name or password")
    raw_host = parts.hostname or ""
    if not raw_host:
        raise AddressRefused("the URL has no host")
    bracketed = "[" in parts.netloc
    host = raw_host if bracketed else _ascii_host(raw_host)
    exempt = host in exempt_hosts()
    if not exempt:
        if scheme != "https":
            raise AddressRefused("the URL must use https")
        if bracketed or _ip_literal(host):
            raise AddressRefused("the host must be a name, not an IP address")
        refused = _refused_name(host)
        if refused:
            raise AddressRefused(f"the host {host!r} is not allowed (no {refused} names)")
        labels = host.split(".")
        if len(labels) < 2 or len(host) > 253:
            raise AddressRefused(f"the host {host!r} is not a public domain name")
        if any(not label or len(label) > 63 or set(label) - _LABEL_CHARS for label in labels):
            raise AddressRefused(f"the host {host!r} is not a valid domain name")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    # Percent-encode what HTTP cannot carry raw (non-ASCII), leaving existing escapes and delimiters alone.
    path = quote(path, safe="/?&=%:@!$'()*+,;~-._")
    return Target(
        url=url, scheme=scheme, host=host, port=port or (443 if scheme == "https" else 80), path=path, exempt=exempt
    )


def is_public_address(address: str) -> bool:
    """True when `address` is a unicast address on the public internet (rule 5)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return is_public_address(str(ip.ipv4_mapped))
        embedded = [ip.sixtofour, ip.teredo[1] if ip.teredo else None]
        embedded += [ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) for net in _NAT64 if ip in net]
        if ip.is_site_local or any(e is not None and not is_public_address(str(e)) for e in embedded):
            return False
    elif any(ip in net for net in _NOT_PUBLIC_V4):
        return False
    return ip.is_global and not (
        ip.is_multicast or ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_unspecified
    )


def resolve_target(target: Target) -> str:
    """The address to connect to: the first the name resolves to, once every one of them passed rule 5 (an
    exempt host skips the rule). Raises AddressRefused when the name does not resolve or an address is not
    public."""
    if _ip_literal(target.host) and target.exempt:
        return target.host
    try:
        addresses = resolve(target.host, target.port)
    except (OSError, UnicodeError) as error:
        raise AddressRefused(f"the host {target.host!r} cannot be resolved ({error.__class__.__name__})") from error
    if not addresses:
        raise AddressRefused(f"the host {target.host!r} cannot be resolved")
    if not target.exempt:
        refused = [address for address in addresses if not is_public_address(address)]
        if refused:
            raise AddressRefused(f"the host {target.host!r} resolves to {refused[0]}, which is not a public address")
    return addresses[0]


def check_url(url: str) -> tuple[Target, str]:
    """Every rule, the lookup included: the target and the checked address to connect to."""
    target = parse_target(url)
    return target, resolve_target(target)

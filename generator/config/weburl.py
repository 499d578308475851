"""Web addresses as the web has them, checked by parsing rather than against allowed characters.

``http://dl.example.org/10%20ans%20d'astuce,%20x.ogv``, ``https://[2001:db8::1]:8443/a?b=c#d``
and ``https://bücher.example/`` are all addresses a browser follows as written. What is refused
is what a browser would not: another scheme, no host, a bad port, and characters it would drop or
rewrite (spaces, controls, ``\\``) or that the URL standard says must be percent-encoded.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from urllib.parse import SplitResult, urlsplit

__all__ = ["NotWebUrl", "web_url"]

SCHEMES = ("http", "https")
HINT = "write the full address, e.g. https://example.org/talk"

# The WHATWG URL standard's "forbidden domain code points" (C0 controls and DEL are refused
# earlier, with every other control character).
_FORBIDDEN_IN_HOST = frozenset(" #%/:<>?@[\\]^|")
# Never valid as written in a URL; a browser percent-encodes them or, for "\", reads a "/".
_PERCENT_ENCODE = {'"': "%22", "<": "%3C", ">": "%3E", "\\": "%5C"}
_BRACKETED = re.compile(r"\[([^\]]*)\](?::([0-9]*))?")
_SCHEME = re.compile(r"https?:", re.IGNORECASE)
_NUMERIC_LABEL = re.compile(r"[0-9]+|0[xX][0-9a-fA-F]*")


class NotWebUrl(ValueError):
    """Why a value is not a web address. ``reason`` is empty when it is simply not an
    http(s) URL (another scheme, or none); ``hint`` says how to write it."""

    def __init__(self, reason: str = "", hint: str = HINT):
        super().__init__(reason or "not an http(s) URL")
        self.reason, self.hint = reason, hint

    def message(self, shown: str) -> str:
        """The problem's message for the value as shown to the author."""
        return f"not an http(s) URL: {shown!r}" + (f": {self.reason}" if self.reason else "")


def web_url(value: str, *, as_written: bool = True) -> SplitResult:
    """The parts of ``value`` if it is an absolute http(s) address a browser follows as written.

    Raises :class:`NotWebUrl` for another scheme or none (``javascript:``, ``example.org/x``,
    ``//example.org/x``), no host (``http:///x``, ``https://:80/``), a user name or password,
    a bad port, an implausible host, or a space, control or other character that must be
    percent-encoded. Apostrophes, commas, parentheses, queries and fragments are fine.
    ``as_written=False`` skips the last check, for Markdown links: ``[x](<https://a.example/my
    talk>)`` is how Markdown writes a space, and a browser percent-encodes it there.
    """
    try:
        parts = urlsplit(value)
    except ValueError:  # an unclosed "[" or a host that NFKC-normalises to "/", "?", "@" ...
        parts = None
    if not _SCHEME.match(value) or (parts and parts.scheme.lower() not in SCHEMES):
        raise NotWebUrl()  # checked first: "javascript:" gets the plain message, whatever follows
    if parts is None:
        raise NotWebUrl("its host cannot be read")
    if as_written:
        _check_characters(value)
    if "@" in parts.netloc:
        # "https://trusted.example@evil.example/" is a known way to disguise where a link goes.
        raise NotWebUrl("it contains a user name or password", "remove the part up to and including '@'")
    if not parts.hostname:
        raise NotWebUrl("it has no host name")
    _check_port(parts)
    if parts.netloc.startswith("["):
        _check_ipv6(parts.netloc)
    else:
        _check_domain(parts.hostname)
    return parts


def _check_characters(value: str) -> None:
    """Refuse what a browser would drop or rewrite, so the link works as the author wrote it."""
    for char in value:
        if char == " ":
            raise NotWebUrl("it contains a space", "write each space as %20, e.g. https://example.org/my%20talk")
        if char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Cs"):
            raise NotWebUrl(f"it contains the invisible character U+{ord(char):04X}",
                            "remove it, or write it percent-encoded (a space is %20)")
        if char in _PERCENT_ENCODE:
            raise NotWebUrl(f"it contains {char!r}", f"write it as {_PERCENT_ENCODE[char]}")


def _check_port(parts: SplitResult) -> None:
    """A port, when given, is a number from 0 to 65535 (an empty one, ``host:/``, is allowed)."""
    try:
        parts.port
    except ValueError:
        raise NotWebUrl("its port is not a number from 0 to 65535",
                        "write the port as digits after the host, e.g. https://example.org:8080/talk") from None


def _check_ipv6(netloc: str) -> None:
    """``[2001:db8::1]`` or ``[::1]:8080``; no zone ID (browsers refuse ``%``) and nothing else."""
    match = _BRACKETED.fullmatch(netloc)
    try:
        if not match or "%" in match.group(1):
            raise ValueError
        ipaddress.IPv6Address(match.group(1))
    except ValueError:
        raise NotWebUrl("its host in [ ] is not an IPv6 address", "write it as e.g. http://[2001:db8::1]/") from None


def _check_domain(host: str) -> None:
    """A name a browser would look up: no forbidden code points, a valid IPv4 address if it
    ends in a number (as the URL standard reads it), and encodable as IDNA (``bücher.example``)."""
    forbidden = next((c for c in host if c in _FORBIDDEN_IN_HOST), None)
    if forbidden:
        raise NotWebUrl(f"its host name contains {forbidden!r}")
    labels = host[:-1].split(".") if host.endswith(".") else host.split(".")
    if _NUMERIC_LABEL.fullmatch(labels[-1]):
        try:
            ipaddress.IPv4Address(".".join(labels))
        except ValueError:
            raise NotWebUrl(f"its host {host!r} is not a valid IPv4 address") from None
        return
    try:
        host.encode("idna")
    except UnicodeError:  # an empty or over-long label, or characters IDNA prohibits
        raise NotWebUrl(f"its host {host!r} is not a valid domain name") from None

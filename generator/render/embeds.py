"""Click-to-load facades for a note's ``video:`` and ``slides:`` links.

A link to YouTube, Vimeo, Speaker Deck or SlideShare becomes an :class:`Embed`: the player URL
the iframe will load, built here from an ID that matched a strict pattern. The author's URL is
never used as an iframe ``src``; it only appears as a plain link. Until the reader presses the
facade's button (``themes/default/static/js/embed.js``), the page makes no third-party request.

Some public URLs do not carry the ID a player needs: a Speaker Deck talk page
(``speakerdeck.com/<user>/<slug>``) and a SlideShare page (``slideshare.net/<user>/<slug>``).
Those stay plain links; paste the player URL from the site's "Embed" dialog to get a facade.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

__all__ = ["Embed", "PROVIDERS", "embed_for", "note_embeds", "frame_origins"]


@dataclass(frozen=True)
class Provider:
    name: str        # shown to readers: "YouTube"
    origin: str      # the only origin the iframe may load, also the CSP frame-src entry


PROVIDERS: dict[str, Provider] = {
    "youtube": Provider("YouTube", "https://www.youtube-nocookie.com"),
    "vimeo": Provider("Vimeo", "https://player.vimeo.com"),
    "speakerdeck": Provider("Speaker Deck", "https://speakerdeck.com"),
    "slideshare": Provider("SlideShare", "https://www.slideshare.net"),
}


@dataclass(frozen=True)
class Embed:
    """One facade: ``src`` is safe to load in an iframe; ``url`` is the author's link."""

    kind: str        # "video" or "slides"
    provider: str    # a key of PROVIDERS
    id: str
    src: str
    url: str

    @property
    def provider_name(self) -> str:
        return PROVIDERS[self.provider].name

    @property
    def origin(self) -> str:
        return PROVIDERS[self.provider].origin

    @property
    def host(self) -> str:
        return self.origin.split("://", 1)[1]


_YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_VIMEO_ID = re.compile(r"[0-9]{1,12}")
_VIMEO_HASH = re.compile(r"[0-9a-f]{6,20}")
_SPEAKERDECK_ID = re.compile(r"[0-9a-f]{32}")
_SLIDESHARE_KEY = re.compile(r"[A-Za-z0-9]{6,32}")
_SLIDESHARE_NUMBER = re.compile(r"[0-9]{4,12}")
_START = re.compile(r"(?:(\d{1,2})h)?(?:(\d{1,3})m)?(?:(\d{1,5})s?)?")

_YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com",
                  "youtube-nocookie.com", "www.youtube-nocookie.com"}
_VIMEO_HOSTS = {"vimeo.com", "www.vimeo.com", "player.vimeo.com"}


def _start_seconds(query: dict) -> int:
    """``t=90``, ``t=1m30s`` or ``start=90`` as seconds; 0 when absent or unreadable."""
    value = (query.get("t") or query.get("start") or [""])[0]
    match = _START.fullmatch(value)
    if not value or not match:
        return 0
    hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def _youtube(host: str, segments: list[str], query: dict) -> tuple[str, str] | None:
    if host == "youtu.be":
        candidate = segments[0] if len(segments) == 1 else ""
    elif host in _YOUTUBE_HOSTS:
        if segments == ["watch"]:
            candidate = (query.get("v") or [""])[0]
        elif len(segments) == 2 and segments[0] in ("embed", "live", "shorts", "v"):
            candidate = segments[1]
        else:
            return None
    else:
        return None
    if not _YOUTUBE_ID.fullmatch(candidate):
        return None
    src = f"{PROVIDERS['youtube'].origin}/embed/{candidate}?autoplay=1"
    start = _start_seconds(query)
    return candidate, src + (f"&start={start}" if start else "")


def _vimeo(host: str, segments: list[str], query: dict) -> tuple[str, str] | None:
    if host not in _VIMEO_HOSTS:
        return None
    if host == "player.vimeo.com":
        if len(segments) != 2 or segments[0] != "video":
            return None
        video, private = segments[1], (query.get("h") or [""])[0]
    else:
        # vimeo.com/<id>, vimeo.com/<id>/<hash> (unlisted), channels/<name>/<id>, groups/<g>/videos/<id>
        numeric = [i for i, s in enumerate(segments) if _VIMEO_ID.fullmatch(s)]
        if not numeric:
            return None
        index = numeric[0]
        if index == 0 and len(segments) <= 2:
            pass
        elif segments[:1] == ["channels"] and index == 2 and len(segments) == 3:
            pass
        elif segments[:1] == ["groups"] and len(segments) == 4 and segments[2] == "videos" and index == 3:
            pass
        else:
            return None
        video = segments[index]
        private = segments[index + 1] if index + 1 < len(segments) else ""
    if not _VIMEO_ID.fullmatch(video) or (private and not _VIMEO_HASH.fullmatch(private)):
        return None
    # dnt=1: Vimeo's player sets no tracking cookies.
    src = f"{PROVIDERS['vimeo'].origin}/video/{video}?dnt=1&autoplay=1" + (f"&h={private}" if private else "")
    return video, src


def _speakerdeck(host: str, segments: list[str], query: dict) -> tuple[str, str] | None:
    # Only the player URL carries the deck's ID; a talk page (/<user>/<slug>) stays a plain link.
    if host == "speakerdeck.com" and len(segments) == 2 and segments[0] == "player" \
            and _SPEAKERDECK_ID.fullmatch(segments[1]):
        return segments[1], f"{PROVIDERS['speakerdeck'].origin}/player/{segments[1]}"
    return None


def _slideshare(host: str, segments: list[str], query: dict) -> tuple[str, str] | None:
    # Only the embed URL carries the slideshow's key; a talk page stays a plain link.
    if host not in ("slideshare.net", "www.slideshare.net") or segments[:2] != ["slideshow", "embed_code"]:
        return None
    rest = segments[2:]
    if len(rest) == 2 and rest[0] == "key" and _SLIDESHARE_KEY.fullmatch(rest[1]):
        return rest[1], f"{PROVIDERS['slideshare'].origin}/slideshow/embed_code/key/{rest[1]}"
    if len(rest) == 1 and _SLIDESHARE_NUMBER.fullmatch(rest[0]):
        return rest[0], f"{PROVIDERS['slideshare'].origin}/slideshow/embed_code/{rest[0]}"
    return None


_PARSERS = {"youtube": _youtube, "vimeo": _vimeo, "speakerdeck": _speakerdeck, "slideshare": _slideshare}


def embed_for(url: str | None, kind: str) -> Embed | None:
    """The facade for ``url``, or None when it should stay a plain link."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or port is not None or parts.username or parts.password:
        return None
    host = (parts.hostname or "").lower()
    segments = [s for s in parts.path.split("/") if s]
    query = parse_qs(parts.query)
    for provider, parse in _PARSERS.items():
        found = parse(host, segments, query)
        if found:
            ident, src = found
            return Embed(kind=kind, provider=provider, id=ident, src=src, url=url)
    return None


def note_embeds(note) -> tuple[Embed, ...]:
    """A note's facades, video first."""
    found = (embed_for(note.video, "video"), embed_for(note.slides, "slides"))
    return tuple(e for e in found if e is not None)


def frame_origins(notes, memo=None) -> list[str]:
    """The iframe origins the published notes use, sorted: the CSP ``frame-src`` list.

    ``memo(key, compute)`` may remember the list across builds by a digest of every note's
    video and slides URLs: parsing 40,000 URLs costs a one-note rebuild of an archive 0.5 s."""
    def compute() -> list[str]:
        return sorted({e.origin for note in notes for e in note_embeds(note)})
    if memo is None:
        return compute()
    import hashlib
    links = "\n".join(f"{note.video or ''}\t{note.slides or ''}" for note in notes)
    return memo(hashlib.blake2b(links.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest(), compute)

"""Responsive images: plan the variants of a source image, emit ``<picture>`` markup,
and render the variants (WebP/AVIF ``srcset`` widths, a JPEG or PNG fallback and an
optional 1200x630 social card) through a content-addressed cache.

The build calls three functions:

* :func:`plan_image` while rendering Markdown: cheap (hash + header read, no decode);
  the returned :class:`ImagePlan` already knows every output path and size.
* :func:`picture_html` to turn a plan into markup.
* :func:`process_images` once per build to make every planned file.

This module does not import Pillow at import time, so importing it is cheap; the
pixel pipeline lives in :mod:`generator.imageproc`.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping

__all__ = [
    "ImageError", "ImageSettings", "Variant", "ImagePlan", "ProcessReport",
    "plan_image", "picture_html", "process_images", "CARD_SIZE",
]

# Bump when the pipeline changes its output bytes: it is part of every cache key
# and output name, so old cache entries and URLs are never reused by mistake.
PIPELINE_VERSION = "1"
CARD_SIZE = (1200, 630)
_KNOWN_FORMATS = ("avif", "webp")  # order of <source> elements: best codec first
_MIME = {"avif": "image/avif", "webp": "image/webp", "jpeg": "image/jpeg",
         "png": "image/png", "svg": "image/svg+xml"}
_EXT = {"avif": "avif", "webp": "webp", "jpeg": "jpg", "png": "png", "svg": "svg"}
# Source formats Pillow may open for us (JPEG includes MPO); others are refused.
READ_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "TIFF", "BMP", "AVIF")
_ALPHA_MODES = {"RGBA", "RGBa", "LA", "La", "PA"}
_ORIENT_SWAP = {5, 6, 7, 8}  # EXIF orientations that swap width and height
_SNAP = 1.1  # a configured width within 10% of the source width is replaced by it


class ImageError(Exception):
    """A problem with one image.

    ``message`` says what is wrong (without the path), ``hint`` how to fix it and
    ``path`` which source file; ``str()`` gives ``"<path>: <message>"``.
    """

    def __init__(self, message: str, hint: str = "", path: Path | str | None = None) -> None:
        super().__init__(message, hint, path)  # all in args: the error pickles across processes
        self.message = message
        self.hint = hint
        self.path = Path(path) if path is not None else None

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


def _int_in(name: str, value: object, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ValueError(f"images.{name} must be a whole number from {lo} to {hi}, got {value!r}")
    return value


@dataclass(frozen=True)
class ImageSettings:
    """How images are rendered; built from the ``images:`` block of talknotes.yaml.

    Validation happens on construction and raises :class:`ValueError` with a message
    naming the ``images.<key>`` at fault.
    """

    widths: tuple[int, ...] = (480, 800, 1200, 1600)
    webp_quality: int = 80
    jpeg_quality: int = 82
    avif_quality: int = 60
    formats: tuple[str, ...] = ("webp",)
    sizes: str = "(min-width: 48rem) 46rem, 100vw"
    max_pixels: int = 50_000_000
    fallback_width: int = 1200
    out_subdir: str = "img"

    def __post_init__(self) -> None:
        widths = self.widths
        if isinstance(widths, (int, str)) or not widths:
            raise ValueError("images.widths must be a non-empty list of pixel widths, "
                             f"got {widths!r}")
        widths = tuple(sorted({_int_in("widths", w, 16, 10_000) for w in widths}))
        object.__setattr__(self, "widths", widths)
        _int_in("quality", self.webp_quality, 1, 100)
        _int_in("jpeg_quality", self.jpeg_quality, 1, 100)
        _int_in("avif_quality", self.avif_quality, 1, 100)
        _int_in("max_pixels", self.max_pixels, 1, 10**10)
        _int_in("fallback_width", self.fallback_width, 16, 10_000)
        formats = self.formats
        formats = (formats,) if isinstance(formats, str) else tuple(
            formats if isinstance(formats, (list, tuple)) else ())
        wanted = {str(f).lower() for f in formats}
        unknown = wanted - set(_KNOWN_FORMATS)
        if not wanted or unknown:
            raise ValueError(f"images.formats must list some of {', '.join(_KNOWN_FORMATS)}; "
                             f"got {self.formats!r}")
        if "avif" in wanted:
            from PIL import features  # only needed when AVIF is asked for
            if not features.check("avif"):
                raise ValueError("images.formats lists avif, but this Pillow build cannot "
                                 "write AVIF; upgrade Pillow (11.2+ wheels include it) or "
                                 "remove avif")
        object.__setattr__(self, "formats", tuple(f for f in _KNOWN_FORMATS if f in wanted))
        if not isinstance(self.sizes, str) or not self.sizes.strip():
            raise ValueError(f"images.sizes must be a non-empty string, got {self.sizes!r}")
        sub = str(self.out_subdir).strip("/")
        if not sub or ".." in sub.split("/") or "\\" in sub:
            raise ValueError(f"images output folder must be a plain relative path, got {sub!r}")
        object.__setattr__(self, "out_subdir", sub)

    @classmethod
    def from_config(cls, data: Mapping[str, object] | None) -> "ImageSettings":
        """Build settings from the ``images:`` mapping of talknotes.yaml (``None`` = defaults).

        Keys: widths, quality, jpeg_quality, avif_quality, formats, sizes, max_pixels,
        fallback_width. Unknown keys raise :class:`ValueError`.
        """
        names = {"widths": "widths", "quality": "webp_quality", "jpeg_quality": "jpeg_quality",
                 "avif_quality": "avif_quality", "formats": "formats", "sizes": "sizes",
                 "max_pixels": "max_pixels", "fallback_width": "fallback_width"}
        data = dict(data or {})
        unknown = sorted(set(data) - set(names))
        if unknown:
            raise ValueError(f"images: unknown key(s) {', '.join(unknown)}; "
                             f"known keys: {', '.join(names)}")
        return cls(**{names[k]: v for k, v in data.items()})

    def settings_key(self) -> str:
        """Fingerprint of everything that changes output bytes (16 hex digits).

        Used in cache keys and output names. ``sizes``, ``max_pixels`` and ``formats``
        are left out: they never change the bytes of a given file (enabling AVIF keeps
        the WebP cache valid).
        """
        import PIL  # cheap: only the version module, not Pillow's imaging core

        payload = json.dumps({
            "pipeline": PIPELINE_VERSION, "pillow": PIL.__version__, "widths": self.widths,
            "webp": self.webp_quality, "jpeg": self.jpeg_quality, "avif": self.avif_quality,
            "fallback": self.fallback_width, "card": CARD_SIZE}, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Variant:
    """One output file: ``path`` is relative to the output folder, POSIX separators."""

    path: str
    width: int | None
    height: int | None
    format: str  # "webp", "avif", "jpeg", "png" or "svg"
    suffix: str  # file-name tail shared with the cache entry, e.g. "800w.webp"

    @property
    def mime(self) -> str:
        return _MIME[self.format]


@dataclass(frozen=True)
class ImagePlan:
    """Everything known about a source image before decoding it, and what will be made.

    ``width``/``height`` are the display size (EXIF orientation applied); ``None`` only
    for an SVG without usable width/height/viewBox. ``variants`` are the ``srcset``
    files (every format, ascending width); ``fallback`` is the ``<img src>`` (JPEG when
    opaque, PNG when transparent, the SVG itself for SVGs); ``card`` the social card.
    """

    source: Path
    content_hash: str
    settings_key: str
    format: str
    mode: str
    width: int | None
    height: int | None
    has_alpha: bool
    animated: bool
    orientation: int
    sizes: str
    variants: tuple[Variant, ...]
    fallback: Variant
    card: Variant | None = None

    @property
    def is_svg(self) -> bool:
        return self.format == "SVG"

    @property
    def outputs(self) -> tuple[Variant, ...]:
        """Every file this plan produces (variants, fallback, card), without duplicates."""
        out = list(self.variants) + [self.fallback] + ([self.card] if self.card else [])
        return tuple(dict.fromkeys(out))

    def srcset(self, fmt: str) -> tuple[Variant, ...]:
        """The ``srcset`` variants of one format, ascending width."""
        return tuple(v for v in self.variants if v.format == fmt)


@dataclass
class ProcessReport:
    """What :func:`process_images` did. ``errors`` pairs each failed plan with its error."""

    decoded: int = 0  # sources decoded; 0 when every file came from the cache
    written: int = 0  # files placed (hardlinked or copied) into the output folder
    errors: list[tuple[ImagePlan, ImageError]] = field(default_factory=list)
    encoded: int = 0  # files newly encoded into the cache
    cpu_seconds: float = 0.0  # CPU time spent decoding and encoding, summed over workers


def _slug(stem: str) -> str:
    slug = re.sub(r"[^a-z0-9_]+", "-", stem.lower()).strip("-_")
    return slug[:60] or "image"


def _read(source: Path) -> bytes:
    try:
        return source.read_bytes()
    except FileNotFoundError:
        raise ImageError("image not found", "check the file name and where the path "
                         "points", source) from None
    except IsADirectoryError:
        raise ImageError("is a folder, not an image", "point to an image file", source) from None
    except OSError as exc:
        raise ImageError(f"cannot read the image: {exc.strerror or exc}",
                         "check the file's permissions", source) from None


def plan_image(source: Path | str, settings: ImageSettings, *,
               social_card: bool = False) -> ImagePlan:
    """Plan the outputs for ``source`` without decoding its pixels.

    Reads the file once (SHA-256 of the bytes) and opens only the header to learn the
    display size (EXIF orientations 5-8 swap width and height), mode, transparency and
    animation. Output names are ``<out_subdir>/<stem>-<10 hex>-<width>w.<ext>`` where the
    hex digits hash the content and :meth:`ImageSettings.settings_key`, so a name's bytes
    never change and can be cached forever. No variant is wider than the source.

    Raises :class:`ImageError` for a missing or unreadable file, a file that is not a
    supported image, or one over ``settings.max_pixels`` (a decompression bomb).
    """
    source = Path(source)
    data = _read(source)
    digest = hashlib.sha256(data).hexdigest()
    key = settings.settings_key()
    name_hash = hashlib.sha256((digest + key).encode()).hexdigest()[:10]
    name = f"{settings.out_subdir}/{_slug(source.stem)}-{name_hash}"
    if source.suffix.lower() == ".svg":
        from .imageproc import svg_size

        width, height = svg_size(data, source)
        svg = Variant(f"{settings.out_subdir}/{_slug(source.stem)}-{digest[:10]}.svg",
                      width, height, "svg", "svg")
        return ImagePlan(source, digest, key, "SVG", "", width, height, True, False, 1,
                         settings.sizes, (), svg, None)

    from .imageproc import read_header

    fmt, mode, (w, h), has_alpha, animated, orientation = read_header(data, source, settings)
    if orientation in _ORIENT_SWAP:
        w, h = h, w
    widths = [x for x in settings.widths if x * _SNAP <= w]
    if not widths or w < settings.widths[-1] * _SNAP:
        widths.append(w)  # the source's own width stands in for the larger configured ones
    # Heights from the display size; at least 1 px even for extreme panoramas.
    sized = [(x, h if x == w else max(1, round(h * x / w))) for x in widths]
    variants = tuple(Variant(f"{name}-{x}w.{_EXT[f]}", x, y, f, f"{x}w.{_EXT[f]}")
                     for f in settings.formats for x, y in sized)
    fb_w, fb_h = max((s for s in sized if s[0] <= settings.fallback_width), default=sized[0])
    fb_fmt = "png" if has_alpha else "jpeg"
    fallback = Variant(f"{name}-{fb_w}w.{_EXT[fb_fmt]}", fb_w, fb_h, fb_fmt,
                       f"{fb_w}w.{_EXT[fb_fmt]}")
    card = (Variant(f"{name}-card.jpg", CARD_SIZE[0], CARD_SIZE[1], "jpeg", "card.jpg")
            if social_card else None)
    return ImagePlan(source, digest, key, fmt, mode, w, h, has_alpha, animated, orientation,
                     settings.sizes, variants, fallback, card)


def _attr(value: object) -> str:
    return html.escape(str(value), quote=True)


def _srcset_url(url: str) -> str:
    # A space or comma inside a URL would split a srcset candidate.
    return url.replace(" ", "%20").replace(",", "%2C")


def picture_html(plan: ImagePlan, alt: str, url: Callable[[str], str], eager: bool = False,
                 sizes: str | None = None) -> str:
    """Markup for ``plan``: ``<picture>`` with one ``<source>`` per format and an ``<img>``.

    ``url`` maps a relative output path (``Variant.path``) to the URL used on the page
    (the caller applies the site's base path). ``alt`` is required by HTML even when
    empty (decorative image). Every attribute value is HTML-escaped. ``eager`` images
    (the first image above the fold) get ``fetchpriority="high"`` and no
    ``loading="lazy"``; others get ``loading="lazy"``. ``width``/``height`` are the
    fallback's pixel size so the browser reserves the right aspect ratio. SVGs are a
    plain ``<img>`` (scripts inside an SVG never run from ``<img>``).
    """
    fb = plan.fallback
    attrs = [f'src="{_attr(url(fb.path).replace(" ", "%20"))}"']
    if fb.width and fb.height:
        attrs.append(f'width="{int(fb.width)}" height="{int(fb.height)}"')
    attrs.append(f'alt="{_attr(alt)}" decoding="async"')
    attrs.append('fetchpriority="high"' if eager else 'loading="lazy"')
    img = f"<img {' '.join(attrs)}>"
    if plan.is_svg or not plan.variants:
        return img
    sizes_value = _attr(sizes if sizes is not None else plan.sizes)
    sources = []
    for fmt in _KNOWN_FORMATS:
        chosen = plan.srcset(fmt)
        if chosen:
            srcset = ", ".join(f"{_srcset_url(url(v.path))} {int(v.width or 0)}w" for v in chosen)
            sources.append(f'<source type="{_MIME[fmt]}" srcset="{_attr(srcset)}" '
                           f'sizes="{sizes_value}">')
    return f"<picture>{''.join(sources)}{img}</picture>"


def process_images(plans: Iterable[ImagePlan], settings: ImageSettings, cache_dir: Path,
                   out_dir: Path, workers: int | None = None,
                   progress=None) -> ProcessReport:
    """Make every file of every plan under ``out_dir`` (at each ``Variant.path``).

    Files are rendered into ``cache_dir`` (keyed by content hash and settings key, and
    checked before anything is decoded) and then hardlinked, or copied when linking is
    impossible, into ``out_dir``. Sources that need work are decoded once each, in a
    process pool of ``workers`` processes (default: all usable cores; in-process when
    there is a single job). ``progress`` (a :class:`generator.progress.Progress`) counts the
    sources decoded, as the ``images`` stage; by default nothing is shown. Errors are collected in the report, never raised, so a build
    can list them all. Same inputs and settings give byte-identical files.
    """
    from .imagerun import run

    return run(list(plans), settings, Path(cache_dir), Path(out_dir), workers, progress)

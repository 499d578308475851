"""Responsive images, the data: settings, the plan of a source's variants (WebP/AVIF
``srcset`` widths, a JPEG or PNG fallback, an optional 1200x630 social card), errors.

The build calls three functions, each in its own module:

* :func:`generator.images.plan.plan_image` while rendering Markdown: cheap (hash + header
  read, no decode); the returned :class:`ImagePlan` already knows every output path and size.
* :func:`generator.images.plan.picture_html` to turn a plan into markup.
* :func:`generator.images.pool.process_images` once per build to make every planned file
  through a content-addressed cache.

Nothing here imports Pillow; the pixel pipeline lives in :mod:`generator.images.codec`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

__all__ = ["ImageError", "ImageSettings", "Variant", "ImagePlan", "ProcessReport", "CARD_SIZE", "read_source"]

# Bump when the pipeline changes its output bytes: it is part of every cache key
# and output name, so old cache entries and URLs are never reused by mistake.
PIPELINE_VERSION = "1"
CARD_SIZE = (1200, 630)
SOURCE_FORMATS = ("avif", "webp")  # order of <source> elements: best codec first
MIME = {"avif": "image/avif", "webp": "image/webp", "jpeg": "image/jpeg",
         "png": "image/png", "svg": "image/svg+xml"}
EXTENSIONS = {"avif": "avif", "webp": "webp", "jpeg": "jpg", "png": "png", "svg": "svg"}
# Source formats Pillow may open for us (JPEG includes MPO); others are refused.
READ_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "TIFF", "BMP", "AVIF")
_ALPHA_MODES = {"RGBA", "RGBa", "LA", "La", "PA"}
SWAPPED_ORIENTATIONS = {5, 6, 7, 8}  # EXIF orientations that swap width and height
SNAP = 1.1  # a configured width within 10% of the source width is replaced by it


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
        unknown = wanted - set(SOURCE_FORMATS)
        if not wanted or unknown:
            raise ValueError(f"images.formats must list some of {', '.join(SOURCE_FORMATS)}; "
                             f"got {self.formats!r}")
        if "avif" in wanted:
            from PIL import features  # only needed when AVIF is asked for
            if not features.check("avif"):
                raise ValueError("images.formats lists avif, but this Pillow build cannot "
                                 "write AVIF; upgrade Pillow (11.2+ wheels include it) or "
                                 "remove avif")
        object.__setattr__(self, "formats", tuple(f for f in SOURCE_FORMATS if f in wanted))
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
        return MIME[self.format]


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


def read_source(source: Path) -> bytes:
    """The bytes of an image file; a missing or unreadable file is an :class:`ImageError`."""
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

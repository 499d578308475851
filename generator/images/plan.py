"""Planning a source image's variants and marking them up as ``<picture>``: pure, but for one
read of the file and of its header (:mod:`generator.images.codec`); no pixel is decoded."""

from __future__ import annotations

import hashlib
import html
import re
from pathlib import Path
from typing import Callable

from .codec import read_header, svg_size
from .types import (CARD_SIZE, EXTENSIONS, MIME, SNAP, SOURCE_FORMATS, SWAPPED_ORIENTATIONS, ImagePlan,
                     ImageSettings, Variant, read_source)


def _slug(stem: str) -> str:
    slug = re.sub(r"[^a-z0-9_]+", "-", stem.lower()).strip("-_")
    return slug[:60] or "image"


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
    data = read_source(source)
    digest = hashlib.sha256(data).hexdigest()
    key = settings.settings_key()
    name_hash = hashlib.sha256((digest + key).encode()).hexdigest()[:10]
    name = f"{settings.out_subdir}/{_slug(source.stem)}-{name_hash}"
    if source.suffix.lower() == ".svg":
        width, height = svg_size(data, source)
        svg = Variant(f"{settings.out_subdir}/{_slug(source.stem)}-{digest[:10]}.svg",
                      width, height, "svg", "svg")
        return ImagePlan(source, digest, key, "SVG", "", width, height, True, False, 1,
                         settings.sizes, (), svg, None)

    fmt, mode, (w, h), has_alpha, animated, orientation = read_header(data, source, settings)
    if orientation in SWAPPED_ORIENTATIONS:
        w, h = h, w
    widths = [x for x in settings.widths if x * SNAP <= w]
    if not widths or w < settings.widths[-1] * SNAP:
        widths.append(w)  # the source's own width stands in for the larger configured ones
    # Heights from the display size; at least 1 px even for extreme panoramas.
    sized = [(x, h if x == w else max(1, round(h * x / w))) for x in widths]
    variants = tuple(Variant(f"{name}-{x}w.{EXTENSIONS[f]}", x, y, f, f"{x}w.{EXTENSIONS[f]}")
                     for f in settings.formats for x, y in sized)
    fb_w, fb_h = max((s for s in sized if s[0] <= settings.fallback_width), default=sized[0])
    fb_fmt = "png" if has_alpha else "jpeg"
    fallback = Variant(f"{name}-{fb_w}w.{EXTENSIONS[fb_fmt]}", fb_w, fb_h, fb_fmt,
                       f"{fb_w}w.{EXTENSIONS[fb_fmt]}")
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
    for fmt in SOURCE_FORMATS:
        chosen = plan.srcset(fmt)
        if chosen:
            srcset = ", ".join(f"{_srcset_url(url(v.path))} {int(v.width or 0)}w" for v in chosen)
            sources.append(f'<source type="{MIME[fmt]}" srcset="{_attr(srcset)}" '
                           f'sizes="{sizes_value}">')
    return f"<picture>{''.join(sources)}{img}</picture>"

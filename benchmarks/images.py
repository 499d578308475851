"""Benchmark of the image pipeline (generator.images.types): cold and warm builds, and the
size/quality of one typical photo's 800w WebP.

    python benchmarks/images.py [DIR] [--rounds N] [--workers N] [--count N]

DIR is a folder of photos (searched recursively for JPEG/PNG/WebP/TIFF). Without it,
~25 photos of 2-12 megapixels are derived from the real photographs in scikit-image's
wheel (skimage/data): mosaics of upscaled samples plus a light sensor-like grain, saved
as JPEG quality 90, some with EXIF orientation 6 or an Adobe RGB profile.

Cold and warm runs alternate in this one process for --rounds rounds (each cold run
uses a fresh cache); medians are printed. CPU time is getrusage(SELF + CHILDREN),
which includes the pool's worker processes once they are joined; the workers' own
per-job sum (ProcessReport.cpu_seconds) is printed beside it. Targets: cold CPU
<= 110 ms per megapixel; warm run < 0.3 s; warm decodes = 0; typical photo's 800w
WebP <= 10% of the JPEG's bytes with SSIM >= 0.93 against a LANCZOS reference.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import ExifTags, Image, ImageOps

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from generator.images.plan import plan_image  # noqa: E402
from generator.images.pool import process_images  # noqa: E402
from generator.images.types import ImageSettings  # noqa: E402

TARGET_CPU_MS_PER_MPX = 110.0
TARGET_WARM_S = 0.3
TARGET_WEBP_PCT = 10.0
TARGET_SSIM = 0.93
SAMPLES = ["astronaut.png", "chelsea.png", "coffee.png", "rocket.jpg", "motorcycle_left.png",
           "motorcycle_right.png", "hubble_deep_field.jpg", "retina.jpg", "ihc.png"]
PHOTO_EXT = {".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff"}


def sample_dir() -> Path:
    spec = importlib.util.find_spec("skimage")
    if spec is None:
        sys.exit("without DIR this benchmark needs scikit-image's sample photos: "
                 "pip install scikit-image")
    return Path(spec.submodule_search_locations[0]) / "data"


def derive_photo(index: int, megapixels: float, rng: np.random.Generator) -> Image.Image:
    """A photo-like RGB image: a grid of real photos upscaled at most ~2.5x, plus grain."""
    data = sample_dir()
    aspect = (3, 2) if index % 3 else (4, 3)
    width = round(math.sqrt(megapixels * 1e6 * aspect[0] / aspect[1]))
    height = round(width * aspect[1] / aspect[0])
    n = max(1, math.ceil(math.sqrt(megapixels / 1.5)))  # tiles of about 1.5 Mpx
    canvas = Image.new("RGB", (width, height))
    for row in range(n):
        for col in range(n):
            box = (col * width // n, row * height // n, (col + 1) * width // n,
                   (row + 1) * height // n)
            with Image.open(data / SAMPLES[(index + row * n + col) % len(SAMPLES)]) as src:
                tile = ImageOps.fit(src.convert("RGB"), (box[2] - box[0], box[3] - box[1]),
                                    Image.Resampling.LANCZOS)
            canvas.paste(tile, box[:2])
    pixels = np.asarray(canvas, dtype=np.float32)
    grain = rng.normal(0.0, 2.5, pixels.shape[:2]).astype(np.float32)[..., None]
    return Image.fromarray(np.clip(pixels + grain, 0, 255).astype(np.uint8))


def save_photo(im: Image.Image, path: Path, index: int) -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Bench"
    options = {}
    if index % 4 == 3:  # a phone held upright: pixels stored sideways
        exif[ExifTags.Base.Orientation] = 6
        im = im.transpose(Image.Transpose.ROTATE_90)
    if index % 5 == 4:
        with Image.open(sample_dir() / "rocket.jpg") as ref:
            options["icc_profile"] = ref.info["icc_profile"]  # Adobe RGB (1998)
    im.save(path, "JPEG", quality=90, exif=exif, **options)


def derive_set(folder: Path, count: int) -> list[Path]:
    rng = np.random.default_rng(2024)
    sizes = [2, 3, 4, 5, 6, 8, 10, 12]
    paths = []
    for i in range(count):
        path = folder / f"photo{i:02d}.jpg"
        save_photo(derive_photo(i, sizes[i % len(sizes)], rng), path, i)
        paths.append(path)
    return paths


def cpu_seconds() -> float:
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def machine_busy_seconds() -> float:
    """CPU seconds every process on the machine has used (Linux /proc/stat), else 0."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def run_once(paths, settings, cache, out, workers):
    busy, wall, cpu = machine_busy_seconds(), time.perf_counter(), cpu_seconds()
    plans = [plan_image(p, settings) for p in paths]
    report = process_images(plans, settings, cache, out, workers=workers)
    wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    run_once.others = max(0.0, machine_busy_seconds() - busy - cpu)  # noisy neighbours
    if report.errors:
        for plan, err in report.errors:
            print(f"  error: {err} ({err.hint})")
    return plans, report, wall, cpu


def _gauss(img: np.ndarray, sigma: float = 1.5, radius: int = 5) -> np.ndarray:
    x = np.arange(-radius, radius + 1)
    k = np.exp(-(x ** 2) / (2 * sigma ** 2))
    k /= k.sum()
    h, w = img.shape
    rows = sum(k[i] * img[:, i:w - 2 * radius + i] for i in range(2 * radius + 1))
    return sum(k[i] * rows[i:h - 2 * radius + i, :] for i in range(2 * radius + 1))


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    """Grey-level SSIM (Wang et al. 2004): Gaussian window sigma 1.5, K1=0.01, K2=0.03."""
    a, b = a.astype(np.float64), b.astype(np.float64)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mu_a, mu_b = _gauss(a), _gauss(b)
    var_a = _gauss(a * a) - mu_a ** 2
    var_b = _gauss(b * b) - mu_b ** 2
    cov = _gauss(a * b) - mu_a * mu_b
    num = (2 * mu_a * mu_b + c1) * (2 * cov + c2)
    return float((num / ((mu_a ** 2 + mu_b ** 2 + c1) * (var_a + var_b + c2))).mean())


def typical_photo(tmp: Path, settings: ImageSettings) -> None:
    src = tmp / "typical-12mp.jpg"
    derive_photo(7, 12.0, np.random.default_rng(7)).save(src, "JPEG", quality=90)
    plan = plan_image(src, settings)
    report = process_images([plan], settings, tmp / "typ-cache", tmp / "typ-out", workers=1)
    assert not report.errors, report.errors
    v800 = next(v for v in plan.srcset("webp") if v.width == 800)
    webp_bytes, jpeg_bytes = (tmp / "typ-out" / v800.path).stat().st_size, src.stat().st_size
    with Image.open(src) as im:
        ref = ImageOps.exif_transpose(im).convert("RGB").resize(
            (v800.width, v800.height), Image.Resampling.LANCZOS)
    with Image.open(tmp / "typ-out" / v800.path) as im:
        got = im.convert("L")
    score = ssim(np.asarray(got), np.asarray(ref.convert("L")))
    pct = 100.0 * webp_bytes / jpeg_bytes
    print(f"\ntypical photo: {plan.width}x{plan.height} JPEG q90, {jpeg_bytes / 1e6:.2f} MB")
    print(f"  800w WebP: {webp_bytes / 1e3:.1f} kB = {pct:.2f}% of the JPEG "
          f"(target <= {TARGET_WEBP_PCT:.0f}%, ratio {pct / TARGET_WEBP_PCT:.2f})")
    print(f"  SSIM vs LANCZOS reference: {score:.4f} (target >= {TARGET_SSIM}, "
          f"{'ok' if score >= TARGET_SSIM else 'BELOW TARGET'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dir", nargs="?", type=Path, help="folder of photos")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--count", type=int, default=25, help="photos to derive without DIR")
    args = parser.parse_args()
    settings = ImageSettings()
    with tempfile.TemporaryDirectory(prefix="talknotes-bench-") as tmp_name:
        tmp = Path(tmp_name)
        if args.dir:
            paths = sorted(p for p in args.dir.rglob("*") if p.suffix.lower() in PHOTO_EXT)
        else:
            t = time.perf_counter()
            paths = derive_set(tmp, args.count)
            print(f"derived {len(paths)} photos in {time.perf_counter() - t:.1f} s")
        if not paths:
            sys.exit(f"no photos in {args.dir}")
        mpx, readable = 0.0, []
        for p in paths:
            try:
                with Image.open(p) as im:
                    mpx += im.width * im.height / 1e6
                readable.append(p)
            except Exception as exc:  # the pipeline would report it too; keep figures clean
                print(f"  skipped {p.name}: {exc}")
        paths = readable
        bytes_in = sum(p.stat().st_size for p in paths)
        print(f"{len(paths)} photos, {mpx:.1f} megapixels, {bytes_in / 1e6:.1f} MB in; "
              f"workers: {args.workers or 'all cores'}; {args.rounds} rounds")
        cold, warm = [], []
        for r in range(args.rounds):
            cache = tmp / f"cache{r}"
            plans, rep, wall, cpu = run_once(paths, settings, cache, tmp / f"cold{r}", args.workers)
            cold.append((wall, cpu, rep.cpu_seconds, rep.decoded))
            others = run_once.others
            _, wrep, wwall, wcpu = run_once(paths, settings, cache, tmp / f"warm{r}", args.workers)
            warm.append((wwall, wcpu, wrep.decoded))
            bytes_out = sum((tmp / f"cold{r}" / v.path).stat().st_size
                            for p in plans for v in p.outputs)
            print(f"  round {r + 1}: cold {wall:.2f} s wall, {cpu:.2f} s CPU "
                  f"({rep.decoded} decoded, {rep.encoded} files; other processes used "
                  f"{others:.1f} s CPU meanwhile); warm {wwall:.3f} s wall, "
                  f"{wrep.decoded} decoded")
        med = lambda xs: statistics.median(xs)  # noqa: E731
        c_wall, c_cpu, c_worker = (med([c[i] for c in cold]) for i in range(3))
        w_wall = med([w[0] for w in warm])
        ms_per_mpx = 1000 * c_cpu / mpx
        print(f"\nbytes in {bytes_in / 1e6:.1f} MB, bytes out {bytes_out / 1e6:.2f} MB "
              f"({100 * bytes_out / bytes_in:.1f}%), {sum(len(p.outputs) for p in plans)} files")
        print(f"cold (median): {c_wall:.2f} s wall, {c_cpu:.2f} s CPU "
              f"(workers' own sum {c_worker:.2f} s) = {ms_per_mpx:.1f} ms CPU per megapixel "
              f"(target <= {TARGET_CPU_MS_PER_MPX:.0f}, ratio {ms_per_mpx / TARGET_CPU_MS_PER_MPX:.2f})")
        print(f"warm (median): {w_wall:.3f} s wall (target < {TARGET_WARM_S}, ratio "
              f"{w_wall / TARGET_WARM_S:.2f}); decodes on warm runs: {[w[2] for w in warm]} "
              f"({'ok' if all(w[2] == 0 for w in warm) else 'NOT ZERO'})")
        typical_photo(tmp, settings)


if __name__ == "__main__":
    main()

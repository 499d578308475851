"""A copy of the sample site whose notes link talks on YouTube, Vimeo, Speaker Deck and SlideShare.

The IDs are made up (EXAMPLEID01 and friends): the tests never reach these hosts, and the sample
content itself keeps only links we know to be real.
"""

from __future__ import annotations

from pathlib import Path

from conftest import build_site, copy_sample_site

YOUTUBE_ID = "EXAMPLEID01"
VIDEO_NOTE = "serverless-django-zappa"       # YouTube video (with a start time), Speaker Deck talk page
VIMEO_NOTE = "async-django-asgi"             # Vimeo video, SlideShare embed URL
PLAIN_NOTE = "structured-logging-structlog"  # links to sites we do not embed
TRICKY_TITLE = 'Tags like </script><script>alert(1)</script> & "quotes"'

FRONT_MATTER = {
    "2019-04-10-serverless-django-zappa.md":
        f"video: https://www.youtube.com/watch?v={YOUTUBE_ID}&t=1m5s\n"
        "slides: https://speakerdeck.com/example/serverless-django-with-zappa\n",
    "2019-04-11-async-django-asgi.md":
        "video: https://vimeo.com/123456789\n"
        "slides: https://www.slideshare.net/slideshow/embed_code/key/EXAMPLEkey1\n",
    "2019-04-11-structured-logging-structlog.md":
        "video: https://media.example.org/talks/structlog.mp4\n"
        "slides: https://example.org/slides/structlog/\n",
    "2019-04-12-django-orm-features.md":
        f"title: '{TRICKY_TITLE}'\n",
}


def make_embed_site(target: Path) -> Path:
    copy_sample_site(target)
    for name, extra in FRONT_MATTER.items():
        path = target / "content" / "notes" / name
        text = path.read_text(encoding="utf-8")
        head, sep, body = text[4:].partition("\n---\n")
        if extra.startswith("title:"):
            head = "\n".join(line for line in head.split("\n") if not line.startswith("title:"))
        path.write_text("---\n" + head + "\n" + extra.rstrip("\n") + sep + body, encoding="utf-8")
    return target


def embed_site(tmp_path_factory) -> Path:
    """The built embed site (once per test session), published at the site root."""
    root = tmp_path_factory.getbasetemp() / "embed-site"
    output = root / "output"
    if not (output / "index.html").is_file():
        make_embed_site(root / "source")
        build_site(root / "source", output=output)
    return output

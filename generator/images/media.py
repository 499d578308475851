"""Images and attachments: planned while Markdown renders, processed after the pages.

Planning reads each image's header (no decode) so the page markup can be written at once;
:meth:`Media.process` then makes every variant in a process pool, through the image cache.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path

from ..config.settings import Config
from ..model.errors import Problem

# Bundle files published beside the note's page as they are (slides, PDFs, data). Images are
# published as processed variants instead, so originals with their metadata never leak.
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".tif", ".tiff", ".bmp", ".avif"}


@dataclass
class Media:
    """Collects image plans for one build and the problems found with them."""

    config: Config
    settings: object = None
    plans: dict = field(default_factory=dict)      # source relative to content/ -> ImagePlan
    users: dict = field(default_factory=dict)      # source -> (document path, line) first using it
    problems: list = field(default_factory=list)

    @classmethod
    def for_config(cls, config: Config) -> "Media":
        from .types import ImageSettings
        media = cls(config)
        try:
            media.settings = ImageSettings.from_config(config.images)
        except ValueError as exc:
            media.problems.append(Problem("talknotes.yaml", config.lines.get("images"), "images", str(exc),
                                          "see docs/images.md"))
            media.settings = ImageSettings()
        return media

    def _once(self, problem: Problem) -> None:
        if problem not in self.problems:
            self.problems.append(problem)

    def url(self, rel: str) -> str:
        from ..model.routes import Urls
        return Urls(self.config.base_path).url_for("generated", path=rel)

    def plan(self, source: str, owner: str, line: int | None, social_card: bool = False):
        """The plan for ``content/<source>``; None (and a problem) when the image is unusable."""
        from .plan import plan_image
        from .types import ImageError
        key = (source, social_card)
        if key in self.plans:
            return self.plans[key]
        try:
            plan = plan_image(self.config.root / "content" / source, self.settings, social_card=social_card)
        except ImageError as exc:
            self.problems.append(Problem(owner, line, "image" if line is None else None,
                                         f"{exc.message}: {source}", exc.hint or None))
            plan = None
        self.plans[key] = plan
        self.users.setdefault(key, (owner, line))
        return plan

    def hook(self, owner: str, first_is_eager: bool):
        """The Markdown image hook for one document (see :data:`generator.markdown.render.ImageHook`)."""
        from .plan import picture_html

        def markup(source: str, alt: str, line: int, index: int) -> str | None:
            if not alt.strip():
                self._once(Problem(owner, line, None, f"image has no alt text: {source}",
                                             "describe the image: ![What the slide shows](slide.jpg)",
                                             level="warning"))
            plan = self.plan(source, owner, line)
            if plan is None:
                return None
            return picture_html(plan, alt, self.url, eager=first_is_eager and index == 0)
        return markup

    def cover(self, note) -> tuple[str | None, str | None]:
        """(picture markup, social card URL) for a note's cover image."""
        if not note.image:
            return None, None
        from .plan import picture_html
        from ..model.scan import within
        folder = Path(note.path).parent.relative_to("content").as_posix()
        content = self.config.root / "content"
        candidates = [posixpath.normpath(f"{folder}/{note.image}"), posixpath.normpath(f"images/{note.image}")]
        source = next((c for c in candidates if (content / c).is_file()), candidates[0])
        if not within(content / source, content):  # ../ or a symbolic link: never read outside content/
            self._once(Problem(note.path, note.lines.get("image"), "image",
                               f"image path leads outside content/: {note.image}",
                               "put the cover image beside the note or in content/images/"))
            return None, None
        plan = self.plan(source, note.path, note.lines.get("image"), social_card=True)
        if plan is None:
            return None, None
        card = plan.card.path if plan.card else plan.fallback.path
        return picture_html(plan, note.title, self.url, eager=True), self.url(card)

    def outputs(self) -> list[str]:
        """Every file the planned images put in the output, relative to it."""
        files = set()
        for plan in self.plans.values():
            if plan is not None:
                files.update(v.path for v in (*plan.outputs, plan.card) if v is not None)
        return sorted(files)

    def process(self, out_dir: Path, progress=None, kept_dir: Path | None = None) -> list[Problem]:
        """Make every planned variant in ``out_dir``, unless already right in ``kept_dir``;
        returns the problems (bad pixels, truncation).
        ``progress``, a :class:`generator.progress.Progress`, counts the images decoded."""
        from .pool import process_images
        plans = {plan.source: plan for plan in self.plans.values() if plan is not None}
        if not plans:
            return []
        report = process_images(list(plans.values()), self.settings, self.config.cache_path() / "images",
                                out_dir, progress=progress, kept_dir=kept_dir)
        root = self.config.root / "content"
        owners = {(root / source): self.users[(source, card)] for (source, card) in self.users}
        problems = []
        for plan, error in report.errors:
            owner, line = owners.get(Path(plan.source), ("content", None))
            problems.append(Problem(owner, line, None, f"{error.message}: {Path(plan.source).name}",
                                    error.hint or None))
        return problems


def attachments(note) -> list[tuple[str, Path]]:
    """Non-image files of a bundle note, as (path relative to the bundle, file)."""
    if not note.path.endswith("/index.md"):
        return []
    from ..model.scan import published_files  # links out of content/ are reported by load_content
    content = Path(note.folder).parents[1]
    return [(rel, Path(entry.path)) for rel, entry in published_files(note.folder, content)
            if not entry.name.endswith(".md") and Path(entry.name).suffix.lower() not in IMAGE_SUFFIXES]

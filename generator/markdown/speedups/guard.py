"""The guard of the speed-ups (:mod:`.mdspeed`, :mod:`.lexspeed`): where they may run, and the
fallback to stock Python-Markdown and Pygments everywhere else.

The speed-ups copy, replace or short-cut private code of both libraries, so they are only as
right as the releases they were tested with. Here, in one place:

* ``RANGES``: the releases they may run with, read from the installed metadata (neither
  library is imported to decide);
* ``RELEASES``: each release in those ranges whose sources were read and whose rendering was
  tested (tests/markdown/test_speedups.py, tests/markdown/test_mdspeed.py, tests/markdown/test_lexspeed.py);
* ``SOURCES``: a digest of the source of each upstream function the speed-ups copy, replace,
  call privately or predict, release by release. tests/markdown/test_speedups.py fails when an installed
  release's sources differ; a release inside the ranges but never tested (a new patch
  release) is checked against them when a process first renders (~40 ms, once).

Outside, or when a speed-up raises (:func:`failed`), rendering is stock and one warning says
so, once per process. docs/performance.md ("Speed-ups and their guard") says how to add a
release.
"""

from __future__ import annotations

import functools
import hashlib
import sys

LIBRARIES = {"markdown": "Python-Markdown", "pygments": "Pygments"}

# [lowest, highest): the releases the speed-ups may run with.
RANGES = {"markdown": ("3.8.1", "3.12"), "pygments": ("2.16", "2.22")}

RELEASES = {
    "markdown": "3.8.1 3.8.2 3.9 3.10 3.10.1 3.10.2 3.10.3 3.11 3.11.1 3.11.2 3.11.3",
    "pygments": "2.16.0 2.16.1 2.17.0 2.17.1 2.17.2 2.18.0 2.19.0 2.19.1 2.19.2 2.20.0 2.21.0",
}

# What the speed-ups depend on, as "module:attribute path" (code they copy or replace, private
# code they call, the block tests they predict), each with {first release with this source:
# its digest (see source_digest)}: the digest holds from that release until the next entry's.
SOURCES: dict[str, dict[str, dict[str, str]]] = {
    "markdown": {
        # replaced: mdspeed.SkippingInlineProcessor
        "markdown.treeprocessors:InlineProcessor._InlineProcessor__handleInline": {
            "3.8.1": "fe27babc114aed0a"},
        # called by the replacement, its result read
        "markdown.treeprocessors:InlineProcessor._InlineProcessor__applyPattern": {
            "3.8.1": "a05b426e2d87e760", "3.11": "8862b35197c0e614"},
        # calls the replaced loop
        "markdown.treeprocessors:InlineProcessor.run": {
            "3.8.1": "f37ef0fba1cc2b03", "3.9": "893af956ef4e63e1", "3.11.1": "f6c93631f2871499"},
        # copied: mdspeed.skip_block_tests
        "markdown.blockparser:BlockParser.parseBlocks": {"3.8.1": "1737e188f149267b"},
        # predicted by mdspeed._block_skip, down to AdmonitionProcessor
        "markdown.blockprocessors:HashHeaderProcessor.test": {"3.8.1": "b05b7970153b822e"},
        "markdown.blockprocessors:HashHeaderProcessor.RE": {
            "3.8.1": "106e88bb6a697b99", "3.11.3": "4428a635fbee741a"},
        "markdown.blockprocessors:BlockQuoteProcessor.test": {"3.8.1": "342a21ffb26b7052"},
        "markdown.blockprocessors:BlockQuoteProcessor.RE": {"3.8.1": "638e8ee633c5f6b3"},
        "markdown.blockprocessors:HRProcessor.test": {"3.8.1": "d97db1d673f15c75"},
        "markdown.blockprocessors:HRProcessor.SEARCH_RE": {"3.8.1": "cac646d078a8b927"},
        "markdown.blockprocessors:SetextHeaderProcessor.test": {"3.8.1": "f4517c337decc072"},
        "markdown.blockprocessors:SetextHeaderProcessor.RE": {
            "3.8.1": "a48a11451a591766", "3.10.3": "2803d859cee559e4"},
        "markdown.extensions.def_list:DefListProcessor.test": {"3.8.1": "b05b7970153b822e"},
        "markdown.extensions.def_list:DefListProcessor.RE": {"3.8.1": "be283c23faf06c9a"},
        "markdown.extensions.tables:TableProcessor.test": {"3.8.1": "399019a4927efd46"},
        "markdown.extensions.tables:TableProcessor._split_row": {"3.8.1": "f3734f59a55d8eb0"},
        "markdown.extensions.admonition:AdmonitionProcessor.test": {"3.8.1": "904f68fe3497e4e4"},
        "markdown.extensions.admonition:AdmonitionProcessor.RE": {"3.8.1": "71d43b9ac9c84504"},
        "markdown.extensions.admonition:AdmonitionProcessor.parse_content": {"3.8.1": "5751bc92e3f4acbb"},
        # memoised: mdspeed.memo_block_level
        "markdown.core:Markdown.is_block_level": {"3.8.1": "dc551fffd52a0eee"},
        # short-cut: mdspeed.lean_toc
        "markdown.extensions.toc:TocTreeprocessor.run": {
            "3.8.1": "b9cb40c4714f6dd7", "3.11.3": "75af906d7e4cef01"},
        "markdown.extensions.toc:TocTreeprocessor.replace_marker": {"3.8.1": "9f9ee8b48ecbac72"},
        # short-cut: mdspeed.lean_raw_html
        "markdown.preprocessors:HtmlBlockPreprocessor.run": {"3.8.1": "0e55181cf96c0cd6"},
        "markdown.postprocessors:RawHtmlPostprocessor.run": {"3.8.1": "2f00dbe329ee2d4e"},
        "markdown.util:HTML_PLACEHOLDER": {"3.8.1": "1322d9b267bc176b"},
        # given mdspeed's lexers and formatter
        "markdown.extensions.codehilite:CodeHilite.hilite": {
            "3.8.1": "ec1af3baf5b515b1", "3.11.3": "e567eb8446e6854a"},
    },
    "pygments": {
        # copied: lexspeed.regex_tokens
        "pygments.lexer:RegexLexer.get_tokens_unprocessed": {
            "2.16.0": "fc06e8e2fbc9c2b7", "2.18.0": "dda6229f98c72106"},
        # copied: lexspeed.extended_tokens
        "pygments.lexer:ExtendedRegexLexer.get_tokens_unprocessed": {
            "2.16.0": "68fd518d69012e69", "2.18.0": "c58f3eb1cd31f2f2"},
        # handed mdspeed's lazy lexer and remembering formatter
        "pygments:highlight": {"2.16.0": "7bdfc8576d8bf468"},
        "pygments:lex": {"2.16.0": "5cb72a94b0f92c6c"},
        "pygments:format": {"2.16.0": "57f5c92e3f1f4221"},
    },
}


def release(version: str) -> tuple[int, ...]:
    """The numeric release of a version string, without trailing zeros: ``3.10.0rc1`` -> (3, 10)."""
    parts = []
    for part in version.split("+")[0].split("."):
        digits = ""
        for char in part:
            if not char.isdigit():
                break
            digits += char
        if not digits:
            break
        parts.append(int(digits))
        if len(digits) < len(part):  # a pre-release or dev suffix ends the release
            break
    while parts and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def installed(library: str) -> str | None:
    """The installed version of ``library``, from its metadata (no import)."""
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version(library)
    except PackageNotFoundError:
        return None


def tested(library: str, version: str) -> bool:
    """Whether ``version`` is one of the releases the speed-ups were tested with."""
    return version in RELEASES[library].split()


def in_range(library: str, version: str) -> bool:
    low, high = RANGES[library]
    return release(low) <= release(version) < release(high)


def source_digest(target: str) -> str:
    """The first 16 hex digits of the SHA-256 of an upstream object: a function's source, a
    regular expression's pattern and flags, a constant's ``repr``."""
    import importlib
    import inspect
    import re
    module, _, path = target.partition(":")
    obj = importlib.import_module(module)
    for name in path.split("."):
        obj = getattr(obj, name)
    if isinstance(obj, re.Pattern):
        text = f"{obj.pattern!r} {obj.flags}"
    elif callable(obj):
        text = inspect.getsource(obj)
    else:
        text = repr(obj)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def expected_digests(library: str, version: str) -> dict[str, str | None]:
    """What ``source_digest`` gave for each upstream object of ``library`` at the tested release
    ``version``, or at the newest tested one below it (None: nothing recorded)."""
    expected = {}
    for target, history in SOURCES[library].items():
        known = [first for first in history if release(first) <= release(version)]
        expected[target] = history[max(known, key=release)] if known else None
    return expected


def changed_sources(library: str, version: str) -> list[str]:
    """The upstream objects of the installed ``library`` whose source differs from the tested
    release ``version`` (or the newest tested one below it)."""
    changed = []
    for target, digest in expected_digests(library, version).items():
        try:
            found = source_digest(target)
        except Exception:  # noqa: BLE001 - gone or unreadable: changed
            found = None
        if found is None or found != digest:
            changed.append(target.partition(":")[2] or target)
    return changed


@functools.lru_cache(maxsize=None)
def unsupported() -> str | None:
    """Why the speed-ups may not run with the installed libraries, or None when they may."""
    for library, name in LIBRARIES.items():
        version = installed(library)
        low, high = RANGES[library]
        if version is None or not in_range(library, version):
            return (f"{name} {version or '(no metadata)'} is outside the releases they were tested with "
                    f"(>={low},<{high})")
        if not tested(library, version):
            changed = changed_sources(library, version)
            if changed:
                return (f"{name} {version} was not tested with them and changed code they rely on "
                        f"({', '.join(changed[:3])}{', …' if len(changed) > 3 else ''})")
    return None


class _State:
    """This process's speed-up state: why they were turned off, and whether that was said. The
    counts are for tests (nothing else reads them): documents whose rendering the speed-ups
    started, and of those, how many stock code rendered again because they raised."""

    def __init__(self):
        self.failure: str | None = None
        self.warned = False
        self.fast_renders = 0
        self.fallbacks = 0


state = _State()


def enabled(wanted: bool = True) -> bool:
    """Whether to render with the speed-ups: ``wanted`` (``markdown.speedups`` in the site's
    settings), supported by the installed libraries, and none has failed in this process."""
    if not wanted or state.failure is not None:
        return False
    try:
        reason = unsupported()
    except Exception as exc:  # noqa: BLE001 - a guard that cannot tell says no
        reason = f"their guard failed ({type(exc).__name__}: {exc})"
    if reason is not None:
        _warn(f"Markdown speed-ups are off: {reason}",
              "the pages are the same, built more slowly; markdown: {speedups: false} in talknotes.yaml silences this")
        return False
    return True


def failed(error: BaseException, source: str) -> None:
    """A speed-up raised ``error`` while rendering ``source`` and stock code rendered it: stock
    code renders the rest of this process's documents too."""
    state.failure = f"{type(error).__name__}: {error}"[:200]
    _warn(f"Markdown speed-ups are off after they failed on content/{source} ({state.failure})",
          "the pages are the same, built more slowly; please report this with the note")


def _warn(message: str, hint: str) -> None:
    """Say ``message`` on stderr, the first time only. Not a build problem: the build's are about
    the site, this one is about the installation, and each worker process would repeat it."""
    if state.warned:
        return
    state.warned = True
    from ...model.errors import Problem
    print(Problem("talknotes", None, None, message, hint, level="warning"), file=sys.stderr, flush=True)


def main() -> int:
    """``python -m generator.markdown.speedups.guard``: the installed releases, and for each upstream object its
    digest and whether it is the one recorded (what to re-verify for a new release)."""
    for library, name in LIBRARIES.items():
        version = installed(library) or "?"
        status = ("tested" if tested(library, version) else
                  "in range, not tested" if in_range(library, version) else "out of range")
        print(f"{name} {version}: {status}")
        for target, digest in expected_digests(library, version).items():
            try:
                found = source_digest(target)
            except Exception as exc:  # noqa: BLE001 - renamed or gone upstream
                found = f"missing ({type(exc).__name__})"
            print(f"  {target}  {found}" + ("" if found == digest else f"  CHANGED (recorded: {digest})"))
    reason = unsupported()
    print("speed-ups: " + ("on" if reason is None else f"off: {reason}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())

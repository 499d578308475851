"""The ``talknotes`` command. Imports the rest lazily so ``--version`` and ``--help`` are instant."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import __version__


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="talknotes",
                                     description="Build a static site from Markdown talk notes.")
    parser.add_argument("--version", action="version", version=f"talknotes {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    quiet_help = "no progress line (shown on a terminal only); the summary, warnings and errors print as usual"
    build = commands.add_parser("build", help="build the site into output/")
    build.add_argument("--source", type=Path, default=None,
                       help="the site folder, holding talknotes.yaml (default: the current folder)")
    build.add_argument("--output", type=Path, default=None, help="where to write the site (default: SOURCE/output)")
    build.add_argument("--base-url", default=None,
                       help="override base_url, e.g. https://example.org/talks/ or /talks/2026/")
    build.add_argument("--drafts", action="store_true", help="include drafts and future-dated notes")
    build.add_argument("--timings", action="store_true", help="print the time each stage took")
    build.add_argument("--quiet", action="store_true", help=quiet_help)

    serve = commands.add_parser("serve", help="build, serve and rebuild on every change, reloading the browser")
    serve.add_argument("--source", type=Path, default=None, help="the site folder (default: the current one)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000; 0 picks a free one)")
    serve.add_argument("--drafts", action="store_true", help="include drafts and future-dated notes")
    serve.add_argument("--quiet", action="store_true", help=quiet_help)

    new = commands.add_parser("new", help="start a new note in content/notes/ (see docs/new.md)")
    new.add_argument("title", help="the talk's title")
    new.add_argument("--event", help="an event slug from content/events/ (or free text such as 'Blog post')")
    new.add_argument("--speaker", action="append", metavar="NAME", help="a speaker; repeat for several")
    new.add_argument("--tags", metavar="A,B", help="comma-separated tags")
    new.add_argument("--date", metavar="YYYY-MM-DD", help="the talk's date (default: today in the site's time zone)")
    new.add_argument("--source", type=Path, default=None, help="the site folder (default: the current one)")

    init = commands.add_parser("init", help="start a new site in a new or empty folder (see docs/init.md)")
    init.add_argument("dir", nargs="?", type=Path, default=None, metavar="DIR",
                      help="the folder to create (default: the current one, if empty)")
    init.add_argument("--title", help="the site's name (default: Talk notes)")
    init.add_argument("--base-url", help="where the site will be published (default: https://example.org/)")
    init.add_argument("--author", help="your name, for feeds and the example note (default: git's user.name)")
    init.add_argument("--language", help="BCP 47 language tag, e.g. en or pt-BR (default: from the locale)")
    init.add_argument("--timezone", help="IANA time zone, e.g. Europe/London (default: this machine's)")
    init.add_argument("--no-input", action="store_true",
                      help="never ask; use the defaults for what the flags leave open (the default off a terminal)")

    imp = commands.add_parser("import", help="bring a pyvideo archive or a Pelican, Hugo or Jekyll blog "
                              "into content/ (see docs/import.md)")
    imp.add_argument("source_kind", choices=("pyvideo", "pelican", "hugo", "jekyll"), metavar="KIND",
                     help="pyvideo, pelican, hugo or jekyll")
    imp.add_argument("path", metavar="PATH", help="the pyvideo/data checkout (or one event folder), or the blog's folder")
    imp.add_argument("--aliases", action="store_true",
                     help="pyvideo: keep pyvideo.org's URLs (/<event>/<video>.html) as aliases (blogs always keep theirs)")
    imp.add_argument("--source", type=Path, default=None, help="the site folder (default: the current one)")

    check = commands.add_parser("check", help="check the site like a pull-request reviewer, writing nothing")
    check.add_argument("--format", choices=("text", "github"), default="text",
                       help="text: path:line: message; github: GitHub Actions annotations")
    check.add_argument("--source", type=Path, default=None, help="the site folder (default: the current one)")
    check.add_argument("--drafts", action="store_true", help="also check drafts' bodies, as a --drafts build")
    check.add_argument("--quiet", action="store_true", help=quiet_help)
    return parser


def _find_source(given: Path | None) -> Path:
    """The site folder: as given, or the nearest folder upwards holding talknotes.yaml."""
    if given is not None:
        return given.resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "talknotes.yaml").is_file():
            return folder
    return here


def _print_problems(problems) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def _build(args) -> int:
    from .build import BuildOptions, build
    from .model.errors import BuildError

    source = _find_source(args.source)
    if not source.is_dir():
        print(f"talknotes: no such folder: {source}", file=sys.stderr)
        return 2
    from .progress import Progress
    options = BuildOptions(source=source, output=args.output.resolve() if args.output else None,
                           base_url=args.base_url, drafts=args.drafts, background_cleanup=True,
                           progress=Progress.for_stream(sys.stderr, args.quiet))
    try:
        result = build(options)
    except BuildError as exc:
        _print_problems(exc.problems)
        print(f"Build failed: {len(exc.problems)} error(s); output/ was left as it was.", file=sys.stderr)
        return 1
    _print_problems(result.warnings)
    total = sum(result.timings.values())
    print(f"Built {result.pages} pages ({result.files} files) into {result.output} in {total:.2f} s")
    if result.report:
        from .output.report import summary_lines
        for line in summary_lines(result.report):
            print(line)
    if args.timings:
        for stage, seconds in result.timings.items():
            print(f"  {stage:<10} {seconds * 1000:8.1f} ms")
    return 0


def _serve(args) -> int:
    from .progress import Progress
    from .commands.serve import serve
    try:
        return serve(_find_source(args.source), args.host, args.port, args.drafts,
                     progress=Progress.for_stream(sys.stderr, args.quiet))
    except OSError as exc:  # e.g. the port is taken
        print(f"talknotes: cannot serve on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1


def _new(args) -> int:
    from .commands.new import run
    return run(args, _find_source(args.source))


def _init(args) -> int:
    from .commands.init import run
    return run(args)


def _import(args) -> int:
    from .importing.command import run
    return run(args, _find_source(args.source))


def _check(args) -> int:
    from .commands.check import run
    from .progress import Progress
    return run(args, _find_source(args.source), progress=Progress.for_stream(sys.stderr, args.quiet))


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``talknotes`` command; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return {"build": _build, "serve": _serve, "new": _new, "init": _init, "check": _check,
                "import": _import}[args.command](args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def entry() -> None:
    """The installed ``talknotes`` command: :func:`main`, then an immediate exit.

    Every command has closed or committed what it wrote by the time it returns, so the
    interpreter's teardown (freeing a whole site's objects one by one, ~50 ms after a build
    of 1,000 notes) is skipped. An unexpected exception still ends with a traceback.
    """
    status = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):  # nobody reads the output any more
        pass
    os._exit(status)


if __name__ == "__main__":
    entry()

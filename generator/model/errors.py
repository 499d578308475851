"""Problems found in a site, and how they are reported.

Every stage collects problems instead of raising on the first one, so an author sees all of
them in one run. A problem is printed as ``path:line: field: message (hint)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# Control characters, line separators, bidirectional overrides and lone surrogates (undecodable
# file names) in a file name or quoted content could rewrite the terminal, split a message or
# break the output's encoding: they are shown escaped.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                          "\ud800-\udfff]")


class CommandError(Exception):
    """A command cannot do what it was asked (``talknotes new``, ``init``); ``hint`` says what to
    do instead. Printed as ``message (hint)``, never as a traceback."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message, self.hint = message, hint

    def __str__(self) -> str:
        return self.message + (f" ({self.hint})" if self.hint else "")


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the site's input, located as precisely as we can."""

    path: str
    line: int | None = None
    field: str | None = None
    message: str = ""
    hint: str | None = None
    level: str = "error"  # "error" fails the build; "warning" is printed only

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        text = f"{where}: "
        if self.field:
            text += f"{self.field}: "
        if self.level == "warning":
            text += "warning: "
        text += self.message
        if self.hint:
            text += f" ({self.hint})"
        return _UNPRINTABLE.sub(lambda m: ascii(m.group())[1:-1], text)

    @property
    def is_error(self) -> bool:
        return self.level == "error"


class BuildError(Exception):
    """Raised by a stage when the problems collected so far mean the build cannot go on."""

    def __init__(self, problems: list[Problem]):
        # A broken template fails once per page that uses it: report each problem once.
        self.problems = sorted(dict.fromkeys(problems), key=_sort_key)
        super().__init__(f"{len(self.problems)} problem(s)")


def _sort_key(problem: Problem):
    return (problem.path, problem.line or 0, problem.field or "", problem.message)


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Problems in a stable order: by file, then line."""
    return sorted(problems, key=_sort_key)


def relative(path: Path, root: Path) -> str:
    """A path as printed in messages: relative to the site root, with forward slashes."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()

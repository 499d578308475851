"""A–Z indexes: the speakers and tags of a large site, filed under the initial letter of
their transliterated names, so that no index page grows with the archive."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .site import Group
from .slugs import initial

# The order letters are listed in: a-z, then digits, then names with neither.
_ORDER = [chr(c) for c in range(ord("a"), ord("z") + 1)] + ["0-9", "other"]
LABELS = {key: ("#" if key == "0-9" else "Other" if key == "other" else key.upper()) for key in _ORDER}


@dataclass(frozen=True)
class Letter:
    """The groups filed under one initial: ``key`` is in URLs (``a``, ``0-9``, ``other``)."""

    key: str
    groups: tuple[Group, ...]

    @property
    def label(self) -> str:
        return LABELS[self.key]

    @property
    def count(self) -> int:
        return len(self.groups)


def by_initial(groups: tuple[Group, ...]) -> tuple[Letter, ...]:
    """The letters that have groups, in A–Z order; each letter's groups keep their order."""
    filed: dict[str, list[Group]] = defaultdict(list)
    for group in groups:
        filed[initial(group.name)].append(group)
    return tuple(Letter(key, tuple(filed[key])) for key in _ORDER if key in filed)

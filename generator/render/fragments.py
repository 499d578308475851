"""Template fragments rendered once per build: ``{% call cached(...) %}…{% endcall %}``.

A note's card (title, date, event, speakers, excerpt) is the same on every list it appears on:
the home page, three tag pages, its month, event and speaker. Like Hugo's ``partialCached``, a
theme wraps such a fragment in a call block whose arguments say everything it depends on, and
each build renders it once per process for those arguments. The output is the same bytes.
"""

from __future__ import annotations

import datetime as dt

_SCALARS = (str, int, float, bool, type(None), dt.date)


class FragmentMemo:
    """The ``cached(*key)`` template helper of one build.

    ``tracked`` is the build's :class:`~generator.incremental.fingerprint.TrackedSite`: the ``site``
    attributes a fragment read are recorded with it and counted as read again by every page
    that reuses it, so page fingerprints stay complete."""

    def __init__(self, tracked=None):
        self.tracked = tracked
        self._known: dict[tuple, tuple] = {}

    def clear(self) -> None:
        """Forget every fragment (a big site's cards are 100 MB at 20,000 notes)."""
        self._known.clear()

    def __call__(self, *key, caller):
        # Objects (a note, a group) key by identity, kept alive with the entry so the id stays theirs.
        ident = tuple(part if isinstance(part, _SCALARS) else (type(part), id(part)) for part in key)
        entry = self._known.get(ident)
        if entry is None:
            if self.tracked is None:
                markup = caller()
                reads = frozenset()
            else:
                outer = self.tracked.read
                object.__setattr__(self.tracked, "read", set())
                try:
                    markup = caller()
                finally:
                    reads = frozenset(self.tracked.read)
                    object.__setattr__(self.tracked, "read", outer)
            entry = self._known[ident] = (markup, reads, key)
        if entry[1]:
            self.tracked.read.update(entry[1])
        return entry[0]

"""What an import did, for the person who ran it: counts first, then one line per file that
was imported, updated or skipped (with why), and each warning. Unchanged files are counted."""

from __future__ import annotations

from collections import Counter

from .plan import Action

STATUSES = ("imported", "updated", "unchanged", "skipped")


def counts(actions: list[Action]) -> Counter:
    return Counter(a.status for a in actions)


def lines(source: str, shown: str, actions: list[Action], skipped_sources: list[tuple[str, str]],
          failed: int) -> list[str]:
    """The summary printed on standard output."""
    by_role = Counter((a.role, a.status) for a in actions)
    total = counts(actions)

    def part(status: str) -> str:
        kinds = [(by_role[("note", status)], "note"), (by_role[("event", status)], "event"),
                 (by_role[("file", status)], "file")]
        said = ", ".join(f"{n} {kind}{'s' if n != 1 else ''}" for n, kind in kinds if n)
        return f"{total[status]} {status}" + (f" ({said})" if said else "")

    head = f"Imported from {source} {shown}: " + ", ".join(part(s) for s in STATUSES)
    head += f", {failed} record(s) failed" if failed else ""
    out = [head]
    width = max(len(s) for s in STATUSES)
    for action in actions:
        if action.status in ("imported", "updated", "skipped"):
            why = f": {action.why}" if action.why else ""
            out.append(f"  {action.status:<{width}}  {action.path}{why}")
    for origin, why in skipped_sources:
        out.append(f"  {'skipped':<{width}}  {origin}: {why}")
    for action in actions:
        for warning in action.warnings:
            out.append(f"  {'warning':<{width}}  {action.path}: {warning} (from {action.origin})")
    return out

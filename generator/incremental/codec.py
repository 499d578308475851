"""The store's JSON form of parsed notes and rendered Markdown: plain lists and dicts that read
back into the same immutable records (generator/model/records.py, generator/markdown/rendered.py)."""

from __future__ import annotations

from pathlib import Path

_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _fields(record) -> dict:
    """A dataclass's fields, one level deep (``dataclasses.asdict`` deep-copies, several times
    slower; ``dataclasses.fields`` itself costs more than reading them, so names are kept)."""
    names = _FIELD_NAMES.get(type(record))
    if names is None:
        import dataclasses
        names = _FIELD_NAMES[type(record)] = tuple(f.name for f in dataclasses.fields(record))
    return {name: getattr(record, name) for name in names}


def note_to_json(value) -> list:
    digest, note, problems = value
    fields = None
    if note is not None:
        fields = _fields(note)
        fields["folder"] = str(note.folder)
        for key in ("date", "updated"):
            fields[key] = fields[key].isoformat() if fields[key] else None
    return [digest, fields, [_fields(p) for p in problems]]


def note_from_json(data: list):
    import datetime as dt
    from ..model.content import Note
    from ..model.errors import Problem
    digest, fields, problems = data
    note = None
    if fields is not None:
        for key in ("date", "updated"):
            fields[key] = dt.date.fromisoformat(fields[key]) if fields[key] else None
        for key in ("speakers", "tags", "aliases"):
            fields[key] = tuple(fields[key])
        fields["folder"] = Path(fields["folder"])
        note = Note(**fields)
    return digest, note, tuple(Problem(**p) for p in problems)


def rendered_to_json(rendered) -> dict:
    data = _fields(rendered)
    del data["search"]  # cached on its own, by the note's search fields (searchstage)
    for key in ("headings", "images", "problems"):
        data[key] = [_fields(item) for item in data[key]]
    return data


def rendered_from_json(data: dict):
    from ..model.errors import Problem
    from ..markdown.rendered import Heading, ImageRef, Rendered
    return Rendered(html=data["html"], headings=tuple(Heading(**h) for h in data["headings"]),
                    images=tuple(ImageRef(**i) for i in data["images"]), links=tuple(data["links"]),
                    problems=tuple(Problem(**p) for p in data["problems"]),
                    deps=tuple(tuple(tuple(x) if isinstance(x, list) else x for x in d) for d in data["deps"]),
                    word_count=data.get("word_count"))

"""Safe YAML mappings with the line number of every top-level key.

Front matter, event files and ``talknotes.yaml`` all go through :func:`load_mapping`, so a
message can point at the exact line of a bad field.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from ..model.errors import Problem

# A few aliases are a convenience; thousands are the "billion laughs" attack.
MAX_ALIASES = 50


@dataclass
class Mapping:
    """A parsed YAML mapping: values, the 1-based line of each key, and the problems found."""

    data: dict = field(default_factory=dict)
    lines: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)

    def line(self, key: str, default: int | None = None) -> int | None:
        return self.lines.get(key, default)


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses alias bombs."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self.alias_count = getattr(self, "alias_count", 0) + 1
            if self.alias_count > MAX_ALIASES:
                # A marked error, so the message points at the file's line, not the YAML's.
                raise yaml.composer.ComposerError(None, None, f"more than {MAX_ALIASES} aliases",
                                                  self.peek_event().start_mark)
        return super().compose_node(parent, index)


def _hint_for(message: str) -> str | None:
    if "'\\t'" in message or "\\t" in message:
        return "indent with spaces, not tabs"
    if "mapping values are not allowed" in message:
        return "quote a value that contains ': ', e.g. title: \"Django: the good parts\""
    if "aliases" in message:
        return "remove the YAML anchors and aliases (&name, *name)"
    return "check the YAML syntax: indentation, quotes and colons"


_CLoader = getattr(yaml, "CSafeLoader", None)


def load_mapping(text: str, path: str, first_line: int = 1) -> Mapping:
    """Parse ``text`` as a YAML mapping; lines are reported relative to ``first_line``."""
    # libyaml is several times faster; without anchors ('&') there can be no alias to count.
    # A syntax error is parsed again in Python, whose messages and line numbers are clearer.
    if _CLoader is not None and "&" not in text:
        result = _load(_CLoader(text), path, first_line)
        if not any(p.field is None and p.message.startswith("invalid YAML") for p in result.problems):
            return result
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:  # the reader refuses control characters at once
        line = text.count("\n", 0, exc.position) + first_line
        return Mapping(problems=[Problem(path, line, None, f"invalid YAML: {exc.reason} "
                                         f"(U+{exc.character:04X})", "remove the character")])
    return _load(loader, path, first_line)


def _load(loader, path: str, first_line: int) -> Mapping:
    result = Mapping()
    offset = first_line - 1
    try:
        node = loader.get_single_node()
        if node is None:
            return result
        if not isinstance(node, yaml.MappingNode):
            result.problems.append(Problem(path, node.start_mark.line + 1 + offset, None,
                                           "expected key: value pairs", "see docs/content.md"))
            return result
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1 + offset
            if not isinstance(key, str):
                result.problems.append(Problem(path, line, str(key), "field names must be text"))
                continue
            if key in result.data:
                result.problems.append(Problem(path, line, key, "field given twice",
                                               f"first given on line {result.lines[key]}"))
                continue
            try:
                result.data[key] = loader.construct_object(value_node, deep=True)
            except (ValueError, TypeError) as exc:  # e.g. a date like 2023-02-30
                result.problems.append(Problem(path, line, key, f"invalid value: {exc}",
                                               "dates are YYYY-MM-DD and must exist"))
                continue
            result.lines[key] = line
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + offset if mark else first_line
        message = exc.problem or str(exc)
        result.problems.append(Problem(path, line, None, f"invalid YAML: {message}", _hint_for(message)))
    except yaml.YAMLError as exc:
        result.problems.append(Problem(path, first_line, None, f"invalid YAML: {exc}", _hint_for(str(exc))))
    except RecursionError:
        result.problems.append(Problem(path, first_line, None, "invalid YAML: nested too deeply"))
    finally:
        loader.dispose()
    return result

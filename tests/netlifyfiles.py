"""Reading Netlify's _headers and _redirects back, with Netlify's matching rules."""

from __future__ import annotations


def parse_headers(text: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Netlify's _headers: a path line, then indented ``Name: value`` lines."""
    rules: list[tuple[str, list[tuple[str, str]]]] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            assert line.startswith("/"), line
            rules.append((line.strip(), []))
        else:
            name, sep, value = line.strip().partition(":")
            assert sep and rules, line
            rules[-1][1].append((name.strip(), value.strip()))
    return rules


def matches(rule: str, path: str) -> bool:
    """Netlify path matching as _headers uses it: a trailing ``*`` matches any rest, else exact."""
    return path.startswith(rule[:-1]) if rule.endswith("*") else path == rule


def headers_for(rules, path: str) -> dict[str, list[str]]:
    """Every header value that applies to ``path`` (Netlify applies every matching rule)."""
    found: dict[str, list[str]] = {}
    for rule, headers in rules:
        if matches(rule, path):
            for name, value in headers:
                found.setdefault(name.lower(), []).append(value)
    return found


def parse_redirects(text: str) -> list[tuple[str, str, str]]:
    rules = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            source, target, status = line.split()
            rules.append((source, target, status))
    return rules

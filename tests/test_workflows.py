"""The GitHub workflows parse and run the README's commands; contributor files are in place."""

from __future__ import annotations

import re
import textwrap

import pytest
import yaml

from conftest import REPO

WORKFLOWS = REPO / ".github" / "workflows"


def readme_commands() -> dict[str, list[str]]:
    """The README's install/build and install/test lines, split at ``&&``, comments dropped."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", readme, re.DOTALL).group(1)
    lines = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    commands = {"build": [], "test": []}
    for line in lines:
        parts = [part.strip() for part in line.split("&&")]
        commands["test" if ".ci/run" in line or "pytest" in line else "build"] = parts
    return commands


def code_block(text: str, language: str) -> str:
    """The first fenced block in ``language``, un-indented (it may sit inside a list item)."""
    match = re.search(rf"^( *)```{language}\n(.*?)^\1```", text, re.DOTALL | re.MULTILINE)
    return textwrap.dedent(match.group(2))


def steps(path) -> list[dict]:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    jobs = list(workflow["jobs"].values())
    assert len(jobs) == 1
    return jobs[0]["steps"]


def runs(path) -> list[str]:
    """Each step's command lines, in order."""
    return [line.strip() for step in steps(path) if "run" in step for line in step["run"].splitlines()
            if line.strip()]


@pytest.mark.parametrize("name", ["pull-request.yml", "main.yml"])
def test_workflows_parse_and_run_the_readme_commands(name):
    path = WORKFLOWS / name
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert workflow["name"] and workflow["permissions"] == {"contents": "read"}
    triggers = workflow[True]  # YAML 1.1 reads the key "on" as true
    if name == "main.yml":
        assert triggers["push"]["branches"] == ["main"]
    else:
        assert "pull_request" in triggers
    lines = runs(path)
    readme = readme_commands()
    assert readme["test"] == ["bash .ci/run"]  # one command that works on a fresh machine
    install = readme["build"][0]
    assert install == "pip install -e ."
    assert install in lines and "talknotes build" in lines and "bash .ci/run" in lines
    # install, (check,) build, then the tests, in that order
    order = [lines.index(install)]
    if name == "pull-request.yml":
        order.append(lines.index("talknotes check --format github"))
    order += [lines.index("talknotes build"), lines.index("bash .ci/run")]
    assert order == sorted(order)
    # .ci/run installs what the tests need (Chromium, Java, the Nu checker, axe-core), then
    # runs pytest: the workflows need no step of their own for them.
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    for needed in ("chromium", "default-jre-headless", "vnu-jar", "axe-core", "pip install -q -e '.[test]'"):
        assert needed in ci
    assert 'python3 -m pytest "$@"' in ci  # the newest dependencies
    assert "-c .ci/oldest.txt" in ci and ci.rstrip().splitlines()[-1].endswith('-m pytest "$@"')  # the oldest
    assert any(step.get("uses", "").startswith("actions/checkout@") for step in steps(path))


def test_contributor_files():
    contributing = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert "docs/content.md" in contributing and "talknotes check" in contributing
    meta = yaml.safe_load(code_block(contributing, "markdown").split("---\n")[1])
    assert {"title", "date", "event", "speakers", "tags", "summary"} <= set(meta)
    template = (REPO / ".github" / "PULL_REQUEST_TEMPLATE.md").read_text(encoding="utf-8")
    assert "talknotes check" in template
    issue = (REPO / ".github" / "ISSUE_TEMPLATE" / "talk-notes.md").read_text(encoding="utf-8")
    header = yaml.safe_load(issue.split("---\n")[1])
    assert header["name"] == "Notes for a talk I attended" and header["about"]


def test_contributing_example_is_a_valid_note(tmp_path):
    """The note CONTRIBUTING.md shows builds as it is."""
    from conftest import build_site, copy_sample_site
    contributing = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    example = code_block(contributing, "markdown")
    name = re.search(r"content/notes/(\d{4}-\d{2}-\d{2}-[a-z0-9-]+\.md)", contributing).group(1)
    site = copy_sample_site(tmp_path / "site")
    (site / "content" / "notes" / name).write_text(example, encoding="utf-8")
    result = build_site(site, output=tmp_path / "out")
    assert result.warnings == []
    slug = name[11:-3]
    assert (tmp_path / "out" / "notes" / slug / "index.html").is_file()

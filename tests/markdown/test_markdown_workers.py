"""Markdown workers started early (generator/markdown/stage.py, MarkdownWorkers): when they start,
what they get ready, and that a build is the same with them, without them, and if getting
ready fails."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from conftest import TODAY
from generator import build as build_module
from generator.markdown import stage as documents
from generator.build import BuildOptions, build
from generator.incremental.store import BuildCache
from generator.markdown.stage import MarkdownWorkers, fence_languages


def _site(root: Path, notes: int) -> Path:
    (root / "content" / "notes").mkdir(parents=True)
    for i in range(notes):
        language = ["python", "bash", "yaml"][i % 3]
        (root / "content" / "notes" / f"note-{i:03d}.md").write_text(
            f"---\ntitle: Note {i}\ndate: 2021-03-{1 + i % 28:02d}\ntags: [python]\n---\n\n"
            f"## Part {i}\n\nSome *prose* and a [link](note-000.md).\n\n```{language}\nx = {i}\n```\n")
    (root / "talknotes.yaml").write_text("title: Workers\nbase_url: https://example.org/\n")
    return root


def _tree(output: Path) -> dict[str, bytes]:
    return {p.relative_to(output).as_posix(): p.read_bytes() for p in sorted(output.rglob("*")) if p.is_file()}


def test_fence_languages_in_order_of_first_use(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("```python\nx\n```\n\n~~~ {.yaml}\nk: v\n~~~\n")
    (notes / "b.md").write_text("   ```Bash\nls\n```\n```python\ny\n```\nnot a ```fence\n")
    (notes / "c.txt").write_text("```rust\nfn main() {}\n```\n")  # not Markdown
    assert fence_languages(str(tmp_path)) == ["python", "yaml", "bash"]


def test_fence_languages_stop_when_files_bring_nothing_new(tmp_path):
    for i in range(10):
        (tmp_path / f"n{i}.md").write_text("```python\nx\n```\n" if i < 9 else "```ruby\nx\n```\n")
    assert fence_languages(str(tmp_path), patience=3) == ["python"]
    assert fence_languages(str(tmp_path), patience=20) == ["python", "ruby"]


def test_workers_start_early_only_when_many_documents_will_miss_the_cache(tmp_path):
    site = _site(tmp_path / "site", documents.POOL_THRESHOLD + 2)
    cache = BuildCache()
    cache.attach(site / ".cache")
    assert MarkdownWorkers.worth_starting(site, cache)  # cold: nothing rendered yet
    build(BuildOptions(source=site, output=tmp_path / "out", today=TODAY), cache)
    cache = BuildCache()
    cache.attach(site / ".cache")
    assert not MarkdownWorkers.worth_starting(site, cache)  # every document is in the cache
    # An edit to one note: the next build renders one document, in this process.
    started = []
    original = MarkdownWorkers.__init__
    note = site / "content" / "notes" / "note-001.md"
    note.write_text(note.read_text() + "\nOne more line.\n")
    try:
        MarkdownWorkers.__init__ = lambda self, *a: started.append(a) or original(self, *a)
        build(BuildOptions(source=site, output=tmp_path / "out", today=TODAY), BuildCache())
    finally:
        MarkdownWorkers.__init__ = original
    assert started == []


def test_early_workers_late_workers_and_a_failed_warm_up_build_the_same_site(tmp_path, monkeypatch):
    site = _site(tmp_path / "site", documents.POOL_THRESHOLD + 2)

    def cold(name: str) -> dict[str, bytes]:
        shutil.rmtree(site / ".cache", ignore_errors=True)
        build(BuildOptions(source=site, output=tmp_path / name, today=TODAY), BuildCache())
        return _tree(tmp_path / name)

    early = cold("early")
    with monkeypatch.context() as patch:
        patch.setattr(build_module, "_early_workers", lambda *args: None)
        late = cold("late")
    with monkeypatch.context() as patch:
        def broken(*args, **kwargs):
            raise RuntimeError("getting ready failed")
        patch.setattr(documents, "fence_languages", broken)
        failed = cold("failed")
    assert early == late == failed
    assert len(early) > documents.POOL_THRESHOLD


def test_a_build_that_fails_while_loading_closes_its_early_workers(tmp_path, monkeypatch):
    site = _site(tmp_path / "site", documents.POOL_THRESHOLD + 2)
    closed = []
    original = MarkdownWorkers.close
    monkeypatch.setattr(MarkdownWorkers, "close", lambda self: closed.append(self) or original(self))

    def failing(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("generator.pipeline.load_content", failing)
    try:
        build(BuildOptions(source=site, output=tmp_path / "out", today=TODAY), BuildCache())
    except KeyboardInterrupt:
        pass
    assert len(closed) == 1 and closed[0]._closed and not closed[0]._first.is_alive()


def test_guided_chunks_shrink_and_cover_every_job_once():
    for jobs, workers in ((1000, 2), (49, 2), (5000, 8), (3, 4)):
        chunks = documents.guided_chunks(list(range(jobs)), workers)
        assert [job for chunk in chunks for job in chunk] == list(range(jobs))  # order kept: longest first
        sizes = [len(chunk) for chunk in chunks]
        assert sizes == sorted(sizes, reverse=True)
        assert sizes[-1] <= 8 and all(size >= 8 for size in sizes[:-1])
        assert sizes[0] == min(jobs, 200, max(8, -(-jobs // (workers * 3))))  # a sixth of the work at 2 workers
    # At 1,000 notes on 2 cores: 23 chunks, the last five of 8 notes or fewer (about 15 ms each).
    assert len(documents.guided_chunks(list(range(1000)), 2)) == 23
    assert max(map(len, documents.guided_chunks(list(range(10000)), 2))) == 200  # bounded worker memory


def test_a_pooled_build_leaves_python_markdown_to_its_workers(tmp_path):
    """The build's own process only receives results: importing Python-Markdown and Pygments'
    lexers there would cost every cold build its start-up time (about 45 ms) before the notes load."""
    import subprocess
    import sys
    site = _site(tmp_path / "site", documents.POOL_THRESHOLD + 12)
    script = ("import sys\nfrom pathlib import Path\nfrom generator.build import BuildOptions, build\n"
              "build(BuildOptions(source=Path(sys.argv[1])))\n"
              "print(sorted(m for m in sys.modules if m.split('.')[0] == 'markdown' or m == 'pygments.lexers'))\n")
    result = subprocess.run([sys.executable, "-c", script, str(site)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
    assert "Part 0" in (site / "output" / "notes" / "note-000" / "index.html").read_text()


_PARENT = {"pid": None}
_ORIGINAL_CHUNK = documents._render_chunk


def _dies_in_a_worker(ctx, jobs, *rest):
    """A worker that is killed on the chunk holding note-003 (as by the out-of-memory killer)."""
    if os.getpid() != _PARENT["pid"] and any(job[0] == "note:note-003" for job in jobs):
        os._exit(9)
    return _ORIGINAL_CHUNK(ctx, jobs, *rest)


def test_a_killed_markdown_worker_costs_time_not_the_build(tmp_path, monkeypatch):
    site = _site(tmp_path / "site", documents.POOL_THRESHOLD + 12)
    build(BuildOptions(source=site, output=tmp_path / "normal", today=TODAY), BuildCache())
    shutil.rmtree(site / ".cache")
    _PARENT["pid"] = os.getpid()
    monkeypatch.setattr(documents, "_render_chunk", _dies_in_a_worker)
    cache = BuildCache()
    build(BuildOptions(source=site, output=tmp_path / "lost", today=TODAY), cache)
    assert cache.counts["markdown"] == documents.POOL_THRESHOLD + 12
    assert _tree(tmp_path / "lost") == _tree(tmp_path / "normal")


def test_workers_read_the_word_count_and_search_analysis_off_the_text_once():
    from generator.markdown.render import LinkContext, render
    from generator.markdown.rendered import html_to_text
    from generator.search.tokens import SearchDoc
    from generator.search.index import analyse
    fields = ("/notes/x/", "Title", "2021-03-01", "PyCon", ("python",), ("Ada",), "A summary.")
    body = "## Part\n\nSome *prose*, an &amp; and a&nbsp;space.\n\n```python\nx = 1\n```\n"
    plain = render(body, "notes/x.md", 1, LinkContext(base_path="/"))
    enriched = documents._with_text_facts(plain, fields)
    assert enriched == plain and plain.word_count is None and plain.search is None
    assert enriched.words == plain.words == len(html_to_text(plain.html).split()) == enriched.word_count
    assert enriched.search == analyse(SearchDoc(*fields, body=plain.text))
    # A page has no search fields; a document with images keeps its placeholders until the
    # build fills them in, so both are left for later.
    assert documents._with_text_facts(plain, None).search is None
    with_image = render("![alt](pic.png)\n", "notes/x.md", 1,
                        LinkContext(base_path="/", files=frozenset({"notes/pic.png"})), documents._placeholder_hook)
    assert documents._with_text_facts(with_image, fields) is with_image

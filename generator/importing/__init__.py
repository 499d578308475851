"""``talknotes import``: bring a talk archive (pyvideo/data) or a blog (Pelican, Hugo, Jekyll)
into ``content/``, keeping every old URL alive as an alias and never overwriting a hand edit.

Each source has a reader (``pyvideo``, ``pelican``, ``hugo``, ``jekyll``) that returns a
:class:`~.common.Batch` and writes nothing; :mod:`.plan` names the files and decides what to do
with each, :mod:`.staging` writes them atomically and :mod:`.manifest` remembers what was
written. See docs/import.md.
"""

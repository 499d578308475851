"""Markdown to HTML: the Python-Markdown instance and our extensions, the Markdown stage, and the guarded speed-ups."""

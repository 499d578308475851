"""Speed-ups for Python-Markdown and Pygments that leave every page byte for byte the same, applied only inside the versions they were tested with (see guard.py)."""

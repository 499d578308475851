"""Files that ship with talknotes but live at the repository's top level (``themes/``, the
Netlify plugin). A wheel carries them inside the package, where pyproject.toml maps them; a
checkout (or an editable install) reads them where they are."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).parent


def bundled(in_package: str, in_checkout: str) -> Path:
    """``generator/<in_package>`` when installed from a wheel, else ``<checkout>/<in_checkout>``."""
    packaged = PACKAGE / in_package
    return packaged if packaged.exists() else PACKAGE.parent / in_checkout

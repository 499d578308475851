"""``python -m generator`` runs the talknotes command."""

from .cli import entry

entry()

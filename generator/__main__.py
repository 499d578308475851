"""``python -m generator`` runs the talknotes command."""

import sys

from .cli import main

sys.exit(main())

"""talknotes: turn Markdown talk notes into a fast, accessible static site."""

__version__ = "0.2.0"

"""Pages from templates: the Jinja environment and theme chain, page rendering, cached fragments, feeds, metadata and embeds."""

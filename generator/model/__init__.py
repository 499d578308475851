"""The content model: records read from ``content/``, the Site built from them, the route table, slugs and problems. Pure data; no I/O beyond reading the inputs."""

"""The commands besides build: serve, check, new and init, each a thin driver over the same pipeline
(``talknotes import`` is a package of its own, generator/importing/)."""

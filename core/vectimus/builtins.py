"""The built-in plugin: bundled pack sources, the local receipt log and the core CLI commands."""

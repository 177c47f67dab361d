"""Product category plugin: batteries (being built)."""

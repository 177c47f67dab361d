"""Product category plugin: oranges (being built)."""

"""Product category plugin: steel_vanadium (being built)."""

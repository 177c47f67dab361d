"""The ``footprint`` command (click). It calls footprint's public API and renders the results."""

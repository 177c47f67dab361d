"""The ``footprint`` command (click): parses, calls one use case or the engine, renders."""

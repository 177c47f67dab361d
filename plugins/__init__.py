"""Built-in plugins. Each is declared under the ``footprint`` entry-point group in setup.cfg
and uses only footprint's public API, exactly as a third-party plugin would."""

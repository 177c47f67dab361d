"""Where the service keeps its state: ``FOOTPRINT_HOME`` or the user's data directory."""
from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir


def footprint_home() -> Path:
    home = Path(os.environ.get("FOOTPRINT_HOME") or user_data_dir("footprint", appauthor=False))
    home.mkdir(parents=True, exist_ok=True)
    return home

"""Quick commands import only what they use (docs/performance.md, "Command start-up"): each
module named here once cost an offline ``footprint verify`` or every database command a
noticeable part of its start. benchmarks/cli_start.py measures the times themselves.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from footprint.labels import claims, keys

ROOT = Path(__file__).resolve().parent.parent


def loaded_after(statement: str, modules: list[str]) -> list[str]:
    """Which of ``modules`` a fresh interpreter holds after running ``statement``."""
    script = (f"import sys, json\n{statement}\n"
              f"print(json.dumps([m for m in {modules!r} if m in sys.modules]))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=ROOT, env=os.environ, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.parametrize("statement", [
    "import cli.main",
    "from cli.main import cli; cli.get_command(None, 'verify')",
])
def test_verify_loads_none_of_what_only_other_commands_need(statement):
    # asking an issuer online (ssl, urllib.request), checking a credit code when issuing
    # (stdnum), private keys (cryptography's serialization), the user's data directory when
    # FOOTPRINT_HOME names none (platformdirs), the engine and the BOM's schemas
    heavy = ["ssl", "urllib.request", "http.client", "stdnum",
             "cryptography.hazmat.primitives.serialization", "platformdirs", "secrets",
             "numpy", "marshmallow", "pandas", "sqlite_utils", "footprint.plugins",
             "importlib.metadata"]
    assert loaded_after(statement, heavy) == []


def test_private_keys_are_still_written_and_read(tmp_path):
    # cryptography's serialisation loads when a private key is written (PEM) or read back
    made = keys.generate(tmp_path, "CN-SC", "Sichuan platform", "CN-SC")
    read = keys.current_key(tmp_path, "CN-SC")
    assert read.entry.public_key == made.entry.public_key
    assert read.private_bytes() == made.private_bytes()
    assert len(read.private_bytes()) == 32  # an Ed25519 private key (RFC 8032, section 5.1.5)


def test_a_new_label_id_has_eight_fresh_random_bytes():
    # the bytes come from os.urandom (no secrets module): printed as the issuer id, "-" and
    # 13 base32 characters (8 bytes = 64 bits, ceil(64 / 5) = 13)
    ids = {claims.new_label_id("CN-SC") for _ in range(50)}
    assert len(ids) == 50
    assert all(i.startswith("CN-SC-") and len(i) == len("CN-SC-") + 13 for i in ids)


def test_opening_the_database_does_not_load_pandas():
    # sqlite-utils would import pandas (footprint/store/db.py says why it does not)
    assert loaded_after("import footprint.store", ["pandas", "sqlite_utils"]) == ["sqlite_utils"]


def test_the_engine_package_does_not_load_numpy_until_the_engine_is_used():
    assert loaded_after("import footprint.engine.dataversions, footprint.engine.resultcache",
                        ["numpy", "footprint.engine.pipeline"]) == []
    assert loaded_after("from footprint.engine import Engine",
                        ["numpy", "footprint.engine.pipeline"]) == \
        ["numpy", "footprint.engine.pipeline"]

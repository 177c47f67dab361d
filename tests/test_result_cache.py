"""A repeated ``footprint calc`` prints its stored result (footprint.engine.resultcache) without
loading the engine, and anything the result came from that changes makes it calculate again.

Factors (see tests/test_cli.py's docstring for the sources):
  diesel combustion   3.1863 kg CO2/kg   IPCC 2006 Vol. 2 Ch. 1 (74.1 kg/GJ x 43.0 GJ/t / 1000)
"""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import uuid
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

from footprint import clock
from footprint.engine import resultcache

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "lca_data" / "samples"
DIESEL = 3.1863  # kg CO2 per kg burnt
# what footprint.resultnames keeps of a registry for a result that cites diesel
NAMES = {"processes": {"diesel": {"name_zh": "柴油燃烧",
                                  "name_en": "Diesel, burned in machinery or a boiler"}},
         "regions": {"CN-SC": {"name_zh": "四川", "name_en": "Sichuan"}}, "flows": {},
         "datasets": {}}


def diesel_bom(path: Path, kg: float) -> Path:
    """A BOM of ``kg`` diesel burnt, under a product id no other test uses (so its stored
    result is its own in the session's home)."""
    path.write_text(json.dumps({
        "product": {"id": f"cache-{uuid.uuid4().hex[:8]}", "name": "Forklift shift",
                    "category": "generic"},
        "declared_unit": {"amount": 1, "unit": "piece"},
        "region": "CN-SC", "factor_year": 2022,
        "lines": [{"input": "diesel", "amount": kg, "unit": "kg", "stage": "production"}],
    }), encoding="utf-8")
    return path


def entries() -> set[Path]:
    return set(resultcache.folder(Path(os.environ["FOOTPRINT_HOME"])).glob("*.json"))


def total(result) -> float:
    assert result.exit_code == 0, (result.output, result.stderr)
    return json.loads(result.stdout)["total_kg_co2e"]


def test_a_repeated_calc_prints_the_stored_result_without_loading_the_engine(run, tmp_path):
    bom = diesel_bom(tmp_path / "shift.json", 2)
    before = entries()
    first = run("calc", bom, "--json")
    assert math.isclose(total(first), 2 * DIESEL, rel_tol=1e-6)  # 2 kg x 3.1863 = 6.3726
    assert len(entries() - before) == 1
    # another process, as a user's second run: the same output, and neither the engine's
    # pipeline nor numpy nor the plugins were imported
    script = ("import sys; from cli.main import cli\n"
              "try:\n    cli(['calc', sys.argv[1], '--json'])\n"
              "except SystemExit as exit:\n"
              "    loaded = [m for m in ('numpy', 'footprint.engine.pipeline', "
              "'footprint.plugins', 'marshmallow') if m in sys.modules]\n"
              "    print('loaded:', loaded, 'exit:', exit.code, file=sys.stderr)\n")
    second = subprocess.run([sys.executable, "-c", script, str(bom)], capture_output=True,
                            text=True, cwd=ROOT, env=os.environ, timeout=120)
    assert "loaded: [] exit: 0" in second.stderr, second.stderr
    assert second.stdout == first.stdout
    # the text too, its line named by the registry's name kept beside the result (柴油燃烧,
    # 2 kg x 3.1863 = 6.37 kg CO2e, all of it: 100.0 %), still without the plugins
    text = subprocess.run([sys.executable, "-c", script.replace(", '--json'", ""), str(bom)],
                          capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "FOOTPRINT_LANG": "zh"}, timeout=120)
    assert "loaded: [] exit: 0" in text.stderr, text.stderr
    assert any(line.startswith("1   柴油燃烧  2 kg") and line.endswith("6.37     100.0 %")
               for line in text.stdout.splitlines()), text.stdout


def test_an_entry_follows_the_shipped_datasets_and_the_plugins(run, tmp_path):
    before = entries()
    assert run("calc", diesel_bom(tmp_path / "shift.json", 2)).exit_code == 0
    (entry,) = entries() - before
    files = json.loads(entry.read_bytes())["files"]
    # the datasets the registry read, and the code that read them
    assert str(ROOT / "lca_data" / "electricity" / "manifest.json") in files
    assert str(ROOT / "lca_data" / "electricity") in files  # a dataset added there counts
    assert str(ROOT / "plugins" / "electricity_cn" / "__init__.py") in files
    assert str(ROOT / "footprint" / "engine" / "scoring.py") in files


def test_a_changed_bom_is_calculated_again(run, tmp_path):
    bom = diesel_bom(tmp_path / "shift.json", 2)
    assert math.isclose(total(run("calc", bom, "--json")), 6.3726, rel_tol=1e-6)  # 2 x 3.1863
    diesel_bom(bom, 3)  # the same file, another amount
    assert math.isclose(total(run("calc", bom, "--json")), 9.5589, rel_tol=1e-6)  # 3 x 3.1863


def test_another_data_version_or_draws_are_another_request(run, tmp_path):
    bom = diesel_bom(tmp_path / "shift.json", 2)
    newest = json.loads(run("calc", bom, "--json").stdout)
    older = json.loads(run("calc", bom, "--json", "--data-version", "MEE-2022").stdout)
    # the data versions are named after the MEE releases (lca_data/electricity/manifest.json)
    assert (newest["data_version_name"], older["data_version_name"]) == ("MEE-2023", "MEE-2022")
    fewer = json.loads(run("calc", bom, "--json", "--draws", "200").stdout)
    assert (newest["uncertainty"]["draws"], fewer["uncertainty"]["draws"]) == (1000, 200)


def test_a_bom_with_a_sub_assembly_is_not_kept(run):
    before = entries()
    result = run("calc", SAMPLES / "shandong_gearbox_assembly.json")
    assert result.exit_code == 0, result.stderr
    assert entries() == before  # it reads another file: calculated every time


def test_a_bom_with_a_suppliers_label_is_not_kept():
    line = SimpleNamespace(label=None, sub=None)
    assert resultcache.self_contained(SimpleNamespace(lines=[line, line]))
    labelled = SimpleNamespace(label=object(), sub=None)  # checked against the database
    assert not resultcache.self_contained(SimpleNamespace(lines=[line, labelled]))
    assembly = SimpleNamespace(label=None, sub=object())
    assert not resultcache.self_contained(SimpleNamespace(lines=[assembly]))


# -- what an entry depends on, one thing at a time ---------------------------------------------

class Datasets:
    """A catalog as the store sees one: the folders it reads."""

    def __init__(self, folder: Path):
        self.folder = folder

    def directories(self):
        return [self.folder]


def stored(tmp_path, bom_kg=2.0):
    home, data = tmp_path / "home", tmp_path / "data"
    home.mkdir()
    data.mkdir()
    (data / "factors.csv").write_text("diesel,3.1863\n")
    key = resultcache.request_key(diesel_bom(tmp_path / "bom.json", bom_kg), {"draws": 1000})
    resultcache.store(home, key, {"total_kg_co2e": 6.3726}, [Datasets(data)], NAMES)
    # the registry's names come back beside the result, whatever files the datasets hold
    assert resultcache.lookup(home, key) == ({"total_kg_co2e": 6.3726}, NAMES)
    return home, data, key


def test_a_changed_dataset_file_is_calculated_again(tmp_path):
    home, data, key = stored(tmp_path)
    (data / "factors.csv").write_text("diesel,3.2000\n")
    assert resultcache.lookup(home, key) is None


def test_a_new_dataset_file_is_calculated_again(tmp_path):
    home, data, key = stored(tmp_path)
    (data / "more.csv").write_text("petrol,2.9\n")
    assert resultcache.lookup(home, key) is None


def test_changed_code_is_calculated_again(tmp_path, monkeypatch):
    plugin = tmp_path / "cache_probe_plugin.py"
    plugin.write_text("FACTOR = 3.1863\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    __import__("cache_probe_plugin")  # loaded, as a plugin is when the result is worked out
    try:
        home, _, key = stored(tmp_path)
        plugin.write_text("FACTOR = 3.2000  # a plugin's new model\n")
        assert resultcache.lookup(home, key) is None
    finally:
        sys.modules.pop("cache_probe_plugin", None)


def test_a_new_folder_in_the_home_is_calculated_again(tmp_path):
    home, _, key = stored(tmp_path)
    (home / "cache" / "other").mkdir()  # caches do not count
    assert resultcache.lookup(home, key) == ({"total_kg_co2e": 6.3726}, NAMES)
    (home / "libraries").mkdir()  # a first factor library import: plugins read it
    assert resultcache.lookup(home, key) is None


def test_the_request_covers_the_environment_and_the_options(tmp_path, monkeypatch):
    bom = diesel_bom(tmp_path / "bom.json", 2)
    key = resultcache.request_key(bom, {"draws": 1000})
    assert resultcache.request_key(bom, {"draws": 1000}) == key
    assert resultcache.request_key(bom, {"draws": 200}) != key
    monkeypatch.setenv("FOOTPRINT_BLOCK_PLUGINS", "oranges")
    assert resultcache.request_key(bom, {"draws": 1000}) != key
    monkeypatch.delenv("FOOTPRINT_BLOCK_PLUGINS")
    assert resultcache.request_key(bom, {"draws": 1000}) == key
    # the language a command speaks in: the same result, said otherwise
    monkeypatch.setenv("FOOTPRINT_LANG", "zh")
    assert resultcache.request_key(bom, {"draws": 1000}) == key
    # another year: a BOM's years are checked against the clock's (footprint.bom)
    monkeypatch.setattr(clock, "now", lambda: datetime(2040, 1, 1, tzinfo=timezone.utc))
    assert resultcache.request_key(bom, {"draws": 1000}) != key
    assert resultcache.request_key(tmp_path / "missing.json", {}) is None


def test_an_unreadable_entry_is_calculated_again(tmp_path):
    home, _, key = stored(tmp_path)
    (resultcache.folder(home) / f"{key}.json").write_text("{not json")
    assert resultcache.lookup(home, key) is None


def test_only_the_newest_entries_are_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(resultcache, "KEPT", 2)
    home = tmp_path / "home"
    home.mkdir()
    for n in range(3):
        resultcache.store(home, f"key{n}", {"n": n}, [])
        os.utime(resultcache.folder(home) / f"key{n}.json", ns=(n * 10**9, n * 10**9))
    resultcache.store(home, "key3", {"n": 3}, [])
    assert sorted(p.stem for p in resultcache.folder(home).glob("*.json")) == ["key2", "key3"]

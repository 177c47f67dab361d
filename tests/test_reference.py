"""The engine agrees with a plain bw2calc LCA on every sample BOM, to 1e-9 relative."""
import pytest

from footprint.bom import read_bom_file
from footprint.engine.reference import ReferenceCalculator

from .conftest import SAMPLES


@pytest.fixture(scope="module")
def reference(engine, footprint_home):
    return ReferenceCalculator(footprint_home, engine.registry)


@pytest.mark.parametrize("method", ["ar6", "ar5"])
@pytest.mark.parametrize("sample", sorted(p.name for p in SAMPLES.glob("*.json")))
def test_engine_matches_bw2calc(engine, reference, sample, method):
    resolved = engine.resolve(read_bom_file(SAMPLES / sample))
    ours = engine.calculate_resolved(resolved, method)["total_kg_co2e"]
    theirs = reference.score(resolved, method)
    assert ours == pytest.approx(theirs, rel=1e-9, abs=0)


def test_samples_exist():
    assert len(list(SAMPLES.glob("*.json"))) >= 4

"""A stored BOM written as a sheet (CSV or XLSX, Chinese or English) reads back as the same
BOM: the same reproducibility hash for every sample BOM, the same footprint when a producer
downloads it and uploads it again; any user who may see the submission downloads it, no
one else."""
from __future__ import annotations

import io
import json

import pytest

from footprint import bomexport
from footprint.bom import parse_bom, read_bom_file
from footprint.bomfiles import read_bom_bytes
from footprint.engine.resolve import FileProducts
from footprint.usecases import submissions as subs

from .conftest import SAMPLES, text_of

SHEETS = [(language, kind) for language in ("zh", "en") for kind in ("csv", "xlsx")]
WRITE = {"csv": bomexport.csv_bytes, "xlsx": bomexport.xlsx_bytes}


@pytest.fixture(scope="module")
def sample_products():
    """Sub-assemblies (product:<id>) found among the samples, as `footprint calc` finds them."""
    beside = read_bom_file(SAMPLES / "sichuan_machined_part.json")
    return lambda ref, _parent: FileProducts()(ref, beside)


def names_in_chinese(registry) -> dict:
    return {"region": {c: r.name_zh for c, r in registry.regions.items()},
            "category": {c: x.name_zh for c, x in registry.categories.items()}}


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.json")), ids=lambda p: p.stem)
def test_every_sample_reads_back_as_itself(engine, sample_products, path):
    canonical = parse_bom(json.loads(path.read_text("utf-8"))).canonical
    wanted = engine.calculate(parse_bom(canonical), products=sample_products)
    for language, kind in SHEETS:
        rows = bomexport.sheet_rows(canonical, language, names_in_chinese(engine.registry))
        read = read_bom_bytes(f"bom.{kind}", WRITE[kind](rows)).bom
        found = engine.calculate(parse_bom(read), products=sample_products)
        assert found["reproducibility_hash"] == wanted["reproducibility_hash"], (language, kind)


def test_the_sheet_is_what_a_bookkeeper_writes(engine):
    # the Pujiang packed orange in Chinese: names where the registry has them, stages as the
    # pages say them, a parameter list numbered from 1, its one line under the headings
    canonical = parse_bom(json.loads((SAMPLES / "oranges_pujiang_packed.json")
                                     .read_text("utf-8"))).canonical
    rows = bomexport.sheet_rows(canonical, "zh", names_in_chinese(engine.registry))
    assert rows[:6] == [
        ["产品名称", "Citrus (Buzhihuo/Chunjian), Pujiang, packed in cartons at the packhouse gate"],
        ["中文名称", "蒲江柑橘（不知火/春见），包装厂装箱出厂"],
        ["产品编号", "oranges-pujiang-packed"], ["产品类别", "柑橘（鲜果）"],
        ["声明单位", 1.0, "kg"], ["地区", "四川"]]
    assert ["参数.fertilisers.2.product", "urea"] in rows
    assert rows[-2:] == [
        ["投入", "数量", "单位", "阶段", "地区", "年份", "核算方法", "备注", "一手数据"],
        ["electricity", 0.03, "kWh", "生产", "", "", "",
         "packhouse washing, waxing and optical grading line, metered per kg packed", ""]]
    text = bomexport.csv_bytes(rows).decode("utf-8")
    assert text.startswith("\ufeff产品名称,")  # the byte-order mark Excel in China needs
    assert "\r\n声明单位,1,kg\r\n" in text


def test_a_list_of_plain_values_is_no_sheet():
    bom = {"product": {"name": "x", "category": "generic"},
           "declared_unit": {"amount": 1, "unit": "kg"}, "region": "CN-SC",
           "parameters": {"years": [2024, 2025]}, "lines": []}
    with pytest.raises(bomexport.NotASheet):
        bomexport.sheet_rows(bom, "en")


def test_downloaded_and_uploaded_again_it_is_the_same_bom(service, clients):
    client = clients["orchard"]
    content = (SAMPLES / "sichuan_machined_part.json").read_bytes()
    first = client.post("/producer/upload", data={"file": (io.BytesIO(content), "part.json")},
                        content_type="multipart/form-data")
    submission_id = int(first.headers["Location"].rsplit("/", 1)[1])
    page = text_of(client.get(f"/submissions/{submission_id}"))
    for kind in ("xlsx", "csv", "json"):
        assert f'href="/submissions/{submission_id}/bom.{kind}"' in page
    stored = subs.get(service.db, service.people["orchard"], submission_id)
    downloaded = client.get(f"/submissions/{submission_id}/bom.json")
    assert downloaded.status_code == 200
    assert json.loads(downloaded.data) == stored["bom"]
    sheet = client.get(f"/submissions/{submission_id}/bom.xlsx")
    assert sheet.headers["Content-Disposition"].endswith(f"BOM-{submission_id}-1.xlsx")
    again = client.post("/producer/upload", data={"file": (io.BytesIO(sheet.data), "BOM.xlsx")},
                        content_type="multipart/form-data")
    second = int(again.headers["Location"].rsplit("/", 1)[1])
    assert second != submission_id
    # 14.04 + 9.5589 + 1.392 = 24.9909 kg CO2e, both times
    results = [subs.latest_result(service.db, subs.get(service.db, service.people["orchard"], n))
               for n in (submission_id, second)]
    assert [r["total_kg_co2e"] for r in results] == [pytest.approx(24.9909, rel=1e-6)] * 2
    assert results[0]["reproducibility_hash"] == results[1]["reproducibility_hash"]


def test_only_who_may_see_the_submission_downloads_its_bom(service, clients):
    engine = service.app.extensions["footprint_engine"]
    bom = json.loads((SAMPLES / "sichuan_machined_part.json").read_text("utf-8"))
    submission = subs.create_submission(service.db, engine, service.people["orchard"], bom)[0]
    for kind in ("csv", "xlsx", "json"):
        path = f"/submissions/{submission['id']}/bom.{kind}"
        assert clients["steelworks"].get(path).status_code == 404  # another organisation's
        assert clients["reviewer"].get(path).status_code == 404  # a draft: not the platform's
    assert clients["orchard"].get(f"/submissions/{submission['id']}/bom.pdf").status_code == 404

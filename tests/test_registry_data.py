"""The public page of data sources (/registry/data, 数据来源): every dataset the engine
calculates with, as its manifest describes it in the reader's language, how many factors it
gives, the data version in effect and the earlier ones a calculation may name; no log-in."""
from __future__ import annotations

import html
import re

from .conftest import text_of
from .test_web_scan import approve, scan_url, tea_bom


def rows_of(page: str) -> dict[str, str]:
    """Each dataset's row (by id) as its reader sees the text, tags out."""
    return {found.group(1): html.unescape(re.sub(r"<[^>]+>", " ", found.group(2)))
            for found in re.finditer(r'<tr id="dataset-([\w.-]+)">(.*?)</tr>', page, re.S)}


def words(text: str) -> str:
    return " ".join(text.split())


def facts_of(page: str) -> str:
    """The data version and those a calculation may name, as read (each a link)."""
    head = page[page.index('<dl class="facts"'):page.index('<table class="cards"')]
    return words(html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"</?a\b[^>]*>", "", head))))


def test_every_dataset_is_listed_in_chinese_for_anyone(client, engine):
    client.set_cookie("lang", "zh")
    response = client.get("/registry/data")
    assert response.status_code == 200  # no log-in
    page = text_of(response)
    rows = rows_of(page)
    assert list(rows) == [d.id for d in engine.registry.datasets]
    grid = words(rows["cn_grid_co2_mee"])
    # lca_data/electricity/manifest.json, its Chinese fields
    assert grid.startswith("中国电网电力 CO2 排放因子：全国、区域电网及各省（基于位置） "
                           "中华人民共和国生态环境部；国家统计局 · cn_grid_co2_mee")
    assert "电网电力排放因子" in grid
    # MEE 2024 No. 33's table (lca_data/electricity/cn_grid_co2_mee.csv): 39 rows with factors
    # (national, national fossil, 7 regional grids, 30 provinces: Tibet has none; the row
    # "excl. market-traded non-fossil" is no region's factor) x 3 years (2021-2023) = 117
    assert "117 个因子" in grid
    assert "中国 温室气体：仅 CO2，消费侧 单位：kg CO2/kWh" in grid
    assert "2021 年：中（各省数据来自一份二手转录）；2022 年和 2023 年：高" in grid
    assert "政府官方公告，公开" in grid
    # Ember 2023: 31 countries' rows of one year each = 31
    assert "31 个因子" in words(rows["ember_2023_europe"])
    # a dataset of parameters, not factors: what it gives, without a count
    n2o = words(rows["oranges_fertiliser_products"])
    assert "模型参数" in n2o and "个因子" not in n2o
    # the whole citation as published, marked English for the reader's software
    assert '<p lang="en">MEE with NBS: announcement 2024 No. 12 (2021 data, 2024-04-12), ' \
           '2024 No. 33 (2022 data, 2024-12-20)' in page
    facts = facts_of(page)
    assert facts.startswith(f"现行数据版本 MEE-2023 {engine.registry.data_version}")
    assert facts.endswith("核算可指定的数据版本 MEE-2021（2024-04-12 发布）、MEE-2022（2024-12-20 "
                          "发布）、MEE-2023（2025-12-31 发布）")


def test_the_same_page_in_english(client):
    client.set_cookie("lang", "en")
    page = text_of(client.get("/registry/data"))
    rows = rows_of(page)
    grid = words(rows["cn_grid_co2_mee"])
    assert "grid electricity factors 117 factors" in grid
    assert "CN Greenhouse gases: CO2 only, consumption side Unit: kg CO2/kWh" in grid
    assert "2021 medium confidence (provinces from one secondary copy); 2022 and 2023 high " \
           "confidence" in grid
    assert "official government announcement, public" in grid
    assert "emission factors of inputs 1 factor US (proxy for CN)" in words(rows["road_freight_epa"])
    assert "MEE-2021 (published 2024-04-12), MEE-2022 (published 2024-12-20)" in facts_of(page)
    assert '<a href="/registry/data?version=MEE-2021">' in page


def test_the_registry_links_to_it(client):
    client.set_cookie("lang", "zh")
    page = text_of(client.get("/registry"))
    assert '<a href="/registry/data">数据来源</a>' in page


def test_the_api_gives_the_same_list_to_anyone(client, engine):
    response = client.get("/api/v1/datasets")  # no token
    assert response.status_code == 200
    answer = response.get_json()
    assert [d["id"] for d in answer["datasets"]] == [d.id for d in engine.registry.datasets]
    assert (answer["data_version"], answer["data_version_hash"], answer["current"]) == (
        "MEE-2023", engine.registry.data_version, True)
    assert answer["versions"] == [{"name": "MEE-2021", "published": "2024-04-12"},
                                  {"name": "MEE-2022", "published": "2024-12-20"},
                                  {"name": "MEE-2023", "published": "2025-12-31"}]
    grid = next(d for d in answer["datasets"] if d["id"] == "cn_grid_co2_mee")
    # 39 rows with factors x 3 years = 117, as on the page
    assert (grid["kind"], grid["factors"], grid["version"]) == ("electricity", 117, "MEE-2023")
    assert (grid["gas_scope"], grid["gas_scope_zh"]) == ("CO2 only, consumption side",
                                                         "仅 CO2，消费侧")
    assert grid["confidence_zh"] == "2021 年：中（各省数据来自一份二手转录）；2022 年和 2023 年：高"
    assert grid["source"].startswith("MEE with NBS: announcement 2024 No. 12")
    # a year its manifest does not give as a number is said as the manifest says it;
    # lca_data/materials/ice_v2.csv has 8 rows, each a registered factor
    ice = next(d for d in answer["datasets"] if d["id"] == "materials_ice_v2")
    assert isinstance(ice["year"], str) and ice["factors"] == 8
    # an earlier data version, as a label names it: 39 rows x 1 year (2021) = 39 grid factors
    earlier = client.get("/api/v1/datasets?version=MEE-2021").get_json()
    grid = next(d for d in earlier["datasets"] if d["id"] == "cn_grid_co2_mee")
    assert (earlier["data_version"], earlier["current"], grid["factors"]) == ("MEE-2021",
                                                                               False, 39)
    assert grid["confidence_zh"] == "2021 年：中（各省数据来自一份二手转录）"
    missing = client.get("/api/v1/datasets?version=MEE-1999")
    assert missing.status_code == 404
    assert client.get("/api/v1/datasets?colour=red").status_code == 400  # unknown parameter


def test_a_scan_of_this_platform_s_label_links_to_them(client, service, issuer, make_bom):
    label = approve(service, issuer, tea_bom(make_bom))
    client.set_cookie("lang", "zh")
    page = text_of(client.get(scan_url(label)))
    checks = page[page.index('id="checks"'):]
    # to the data version the label signs (the first 16 hex digits of its hash)
    signed = service.db.execute("SELECT data_version FROM results WHERE submission_id = ?",
                                [label["submission_id"]]).fetchone()[0][:16]
    assert f'<a href="/registry/data?version={signed}" id="data-sources">数据来源</a>' in checks
    assert "现行数据版本" in text_of(client.get(f"/registry/data?version={signed}"))


def test_an_earlier_data_version_s_datasets(client, engine):
    """What a result or label of an earlier data version was calculated from, named by its
    name or its hash (a label signs the first 16 hex digits)."""
    from footprint.engine import Engine

    client.set_cookie("lang", "zh")
    page = text_of(client.get("/registry/data?version=MEE-2021"))
    assert "以下是某项结果或标签所注数据版本 MEE-2021 的数据集；现行核算已使用更新的数据版本。" in page
    grid = words(rows_of(page)["cn_grid_co2_mee"])
    # MEE 2024 No. 12 alone (lca_data/electricity/cn_grid_co2_mee_MEE-2021.csv): 39 rows
    # with factors x 1 year (2021) = 39; the note that version restated, in its own Chinese
    assert "MEE-2021" in grid and "39 个因子" in grid
    assert "2021 年：中（各省数据来自一份二手转录）" in grid and "2022" not in grid
    digest = Engine(engine.home, engine.plugin_manager, data_version="MEE-2022") \
        .registry.data_version
    by_hash = words(rows_of(text_of(client.get(f"/registry/data?version={digest[:16]}")))[
        "cn_grid_co2_mee"])
    # 39 rows x 2 years (2021, 2022) = 78
    assert "MEE-2022" in by_hash and "78 个因子" in by_hash
    missing = client.get("/registry/data?version=MEE-1999")
    assert missing.status_code == 404
    assert "本平台没有数据版本 'MEE-1999'" in text_of(missing)
    assert client.get("/registry/data?version=f9bd").status_code == 404  # too short a prefix


def test_a_dataset_that_says_nothing_in_chinese_is_shown_in_english(client, monkeypatch):
    """A third party's manifest without the *_zh fields (and without a kind): the English on
    a Chinese page and in each _zh field of the API, nothing invented."""
    from footprint.usecases import datasources

    entry = {"id": "tea_fuelwood", "title": "Tea: fuelwood combustion", "publisher": "IPCC",
             "version": "IPCC-2006", "year": 2006, "geography": "global",
             "unit": "kg CO2/kg wood", "gas_scope": "CH4 and N2O only",
             "confidence": "medium (recalled)", "licence": "factual values",
             "source": "IPCC 2006 Vol. 2 Table 2.5", "sha256": "0" * 64,
             "factors": 1, "plugin": "tea"}
    monkeypatch.setattr(datasources, "data_sources", lambda engine, version=None: datasources.DataSources(
        "", "f" * 64, [entry], []))
    client.set_cookie("lang", "zh")
    row = words(rows_of(text_of(client.get("/registry/data")))["tea_fuelwood"])
    assert row == ("Tea: fuelwood combustion IPCC · tea_fuelwood 完整引文 IPCC 2006 Vol. 2 "
                   "Table 2.5 IPCC-2006 2006 1 个因子 global 温室气体：CH4 and N2O only "
                   "单位：kg CO2/kg wood 可信度中 (recalled) factual values")
    (shown,) = client.get("/api/v1/datasets").get_json()["datasets"]
    assert (shown["kind"], shown["gas_scope_zh"], shown["confidence_zh"], shown["title_zh"]) == (
        "", "CH4 and N2O only", "medium (recalled)", "Tea: fuelwood combustion")

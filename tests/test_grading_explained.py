"""How a grade is set, as the submission page says it: each category's explanation in the
reader's language, written for the people who read a grade (what the bands are anchored on,
the published sources by name), with none of the notes the datasets keep for developers
(where a figure was read, whether it was seen or recalled), nor in the sources' confidence;
and a footprint below the range the bands are built on, flagged."""
from __future__ import annotations

import html
import json
import re

import pytest

from footprint.bom import parse_bom, read_bom_file
from footprint.usecases import benchmarks
from footprint.usecases import submissions as subs
from plugins.oranges import data as oranges
from tests.conftest import SAMPLES
from tests.test_problems_in_chinese import CJK, english_in

# what the datasets' own notes say of their figures: never on a reader's page
DEVELOPERS_NOTES = ("FACTORS.md", "recalled", "(seen", "seen)", "PROVISIONAL", "pointer")


def grade_explanation(client, submission_id: int, language: str) -> str:
    client.set_cookie("lang", language)
    page = client.get(f"/submissions/{submission_id}").get_data(as_text=True)
    found = re.search(r'<details class="small grade-how">(.*?)</details>', page, re.S)
    assert found, "no grade explanation"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())


def create(service, sample: str) -> int:
    bom = json.loads((SAMPLES / sample).read_text("utf-8"))
    engine = service.app.extensions["footprint_engine"]
    return subs.create_submission(service.db, engine, service.people["orchard"], bom)[0]["id"]


# sample, what the Chinese explanation says, what the English one says (the bands' limits as
# the shipped band files hold them, the sources by name)
CATEGORIES = [
    ("oranges_pujiang_farm_gate.json",
     ["柑橘碳足迹尚无官方分级", "0.07–0.7 kg CO2e", "Yan 等 2016 年",
      "A 不超过 0.12，B 不超过 0.22，C 不超过 0.39，D 不超过 0.70 kg CO2e/kg；E 高于文献范围"],
     ["No official grading of citrus carbon footprints", "0.07 to 0.7 kg CO2e per kg",
      "Yan et al. 2016, Farm and product carbon footprints of China's fruit production",
      "A up to 0.12, B up to 0.22, C up to 0.39, D up to 0.70 kg CO2e per kg; E is above"]),
    ("batteries_lfp_pack_sichuan.json",
     ["(EU) 2023/1542 第7条", "平台自定的暂行分级", "50–120 kg CO2e", "Xu 等 2022",
      "Lin 等 2024", "Hao 等 2017", "A 不超过 60，B 不超过 80，C 不超过 100，D 不超过 120"],
     ["Regulation (EU) 2023/1542 on batteries (Article 7)", "the platform's own and "
      "provisional", "about 50 to 120 kg CO2e per kWh of capacity", "Xu et al. 2022",
      "Lin et al. 2024", "Hao et al. 2017", "A up to 60, B up to 80, C up to 100, D up to 120"]),
    ("steel_vanadium_panzhihua_crude_steel.json",
     ["粗钢尚无官方的中国基准", "世界钢铁协会", "每吨粗钢 1910 kg CO2", "约 2300 kg", "约 700 kg",
      "A 不超过每吨 1300 kg CO2e", "B 不超过 1910", "C 不超过 2300", "D 高于此"],
     ["No official Chinese benchmark for crude steel", "World Steel Association's global "
      "average of 1,910 kg CO2 per t", "about 2,300 kg", "about 700 kg",
      "A up to 1,300 kg CO2e per t", "B up to 1,910", "C up to 2,300", "D above"]),
]


@pytest.mark.parametrize("sample, chinese, english", CATEGORIES,
                         ids=[c[0].split("_")[0] for c in CATEGORIES])
def test_the_grade_is_explained_in_the_readers_language(service, clients, sample, chinese,
                                                        english):
    submission_id = create(service, sample)
    zh = grade_explanation(clients["orchard"], submission_id, "zh")
    en = grade_explanation(clients["orchard"], submission_id, "en")
    for said in chinese:
        assert said in zh, (said, zh)
    for said in english:
        assert said in en, (said, en)
    assert english_in(zh.replace("How the grade is set", "")) == [], zh
    assert not CJK.search(en), en
    for note in DEVELOPERS_NOTES:
        assert note not in zh and note not in en, note


def test_the_sources_say_their_confidence_in_the_readers_language(service, clients):
    submission_id = create(service, "oranges_pujiang_farm_gate.json")
    client = clients["orchard"]
    client.set_cookie("lang", "zh")
    page = html.unescape(client.get(f"/submissions/{submission_id}").get_data(as_text=True))
    sources = page[page.index('id="sources"'):]
    # Chen et al. 2015's fertiliser factors, noted "high (seen in the paper's abstract; ...)":
    # the level said in the reader's language on the page, and on hover the dataset's note as
    # its manifest says it in Chinese (lca_data/oranges/manifest.json confidence_zh)
    # each dataset's code links to its row on the public page of data sources
    assert ('[<a href="/registry/data#dataset-oranges_fertiliser_chen2015"><code>'
            'oranges_fertiliser_chen2015</code></a>；<span title="高（见于论文摘要；'
            'FACTORS.md 第 5 节）">可信度高</span>；') in sources
    visible = re.sub(r"<[^>]+>", " ", sources)
    assert "可信度: high" not in visible and "(seen in the paper" not in visible
    # the grid's factors, a level by year, each said; this BOM's grid factor is of 2022 (the
    # newest year the data version publishes for Sichuan), so its level is "2022 and 2023 high"
    assert ('[<a href="/registry/data#dataset-cn_grid_co2_mee"><code>cn_grid_co2_mee</code></a>；'
            '<span title="2021 年：中（各省数据来自一份二手转录）；2022 年和 2023 年：高">可信度高</span>；'
            ) in sources
    assert not re.search(r'title="[^"]*\b(high|medium|low)\b', sources)  # no English level
    client.set_cookie("lang", "en")
    page = html.unescape(client.get(f"/submissions/{submission_id}").get_data(as_text=True))
    assert ('[<a href="/registry/data#dataset-oranges_fertiliser_chen2015"><code>'
            'oranges_fertiliser_chen2015</code></a>; <span title="high confidence (seen in '
            'the paper\'s abstract; FACTORS.md section 5)">high confidence</span>;') in page


def test_the_bands_of_a_benchmark_are_explained_in_both_languages(monkeypatch):
    """Bands a platform adopted from its own benchmark replace a category's: their
    explanation comes in Chinese too."""
    adopted = {"n": 120, "as_of": "2026-06-30",
               "bands": [["A", 0.1], ["B", 0.2], ["C", 0.3], ["D", 0.4], ["E", None]]}
    monkeypatch.setattr(benchmarks.stored_bands, "get", lambda _db, _id: adopted)
    grading = benchmarks.grading_for(None, {"record": {"grade_bands": {"id": 1}}},
                                     oranges.grading())
    assert grading.rationale == ("benchmark of 120 verified products, 2026-06-30: A to D up "
                                 "to its P20, P40, P60 and P80")
    assert grading.rationale_zh == ("平台 120 个已核查产品的基准（2026-06-30）：A 至 D 的上限依次"
                                    "为其第 20、40、60、80 百分位")


# -- a footprint below the range the bands are built on ---------------------------------------

# An orchard that gives only its yield and diesel: 60 kg diesel/ha / 30000 kg fruit/ha x
# 3.1863 kg CO2/kg (IPCC 2006) = 0.0063726 kg CO2e per kg fruit, a tenth of the low end of the
# published range (0.07-0.7, Yan et al. 2016): graded A all the same, and flagged.
NEAR_EMPTY = {"product": {"name": "脐橙", "category": "oranges"},
              "declared_unit": {"amount": 1, "unit": "kg"}, "region": "CN-SC",
              "factor_year": 2022, "lines": [],
              "parameters": {"yield_kg_per_ha": 30000, "diesel_kg_per_ha": 60}}
WARNINGS = {"zh": "低于文献范围，可能缺少投入",
            "en": "below the published range: inputs may be missing"}


def test_a_footprint_below_the_published_range_keeps_its_grade_and_is_flagged(engine):
    result = engine.calculate(parse_bom(NEAR_EMPTY))
    assert result["total_kg_co2e"] == pytest.approx(60 / 30000 * 3.1863, rel=1e-6)
    grade = result["grade"]
    assert (grade["grade"], grade["below_published_range"]) == ("A", True)
    assert grade["published_range"] == [0.07, 0.7]
    pujiang = engine.calculate(read_bom_file(SAMPLES / "oranges_pujiang_farm_gate.json"))[
        "grade"]
    assert (pujiang["grade"], pujiang["below_published_range"]) == ("B", False)


def test_the_low_end_itself_is_inside_the_range():
    grading = oranges.grading()
    assert grading.published_range == (0.07, 0.7)
    assert grading.below_published_range(0.0699) and not grading.below_published_range(0.07)
    assert not grading.below_published_range(5.0)  # above: the last band says so


def test_each_category_states_the_range_its_bands_are_built_on(registry):
    ranges = {c: registry.categories[c].grading.published_range
              for c in ("oranges", "batteries", "steel_vanadium")}
    # Yan et al. 2016; about 50-120 kg per kWh of capacity; scrap EAF to BF-BOF per t
    assert ranges == {"oranges": (0.07, 0.7), "batteries": (50, 120),
                      "steel_vanadium": (700, 2300)}


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_preview_flags_it(clients, language):
    from tests.test_problems_in_chinese import ORANGES, editor_form

    client = clients["orchard"]
    client.set_cookie("lang", language)
    answer = client.post("/producer/preview", data=editor_form(
        **ORANGES, **{"parameters-diesel_kg_per_ha": "60"})).get_json()
    assert answer["total_text"] == "0.00637"
    assert answer["grade"]["grade"] == "A" and answer["grade"]["warning"] == WARNINGS[language]
    pujiang = json.loads((SAMPLES / "oranges_pujiang_farm_gate.json").read_text("utf-8"))
    assert client.post("/producer/preview", json=pujiang).get_json()["grade"]["warning"] == ""


def flag_on_page(client, submission_id: int, language: str) -> str | None:
    client.set_cookie("lang", language)
    page = client.get(f"/submissions/{submission_id}").get_data(as_text=True)
    found = re.search(r'id="below-published-range">([^<]*)<', page)
    return found and html.unescape(found.group(1))


def test_the_submission_page_flags_it_to_the_producer_and_the_verifier(service, clients):
    from footprint.usecases import actions

    engine = service.app.extensions["footprint_engine"]
    near_empty = subs.create_submission(service.db, engine, service.people["orchard"],
                                        NEAR_EMPTY)[0]["id"]
    actions.act(service.db, service.people["orchard"], near_empty, "submit",
                verifier_org="Sichuan Carbon Verification")
    for who in ("orchard", "auditor"):
        for language in ("zh", "en"):
            assert flag_on_page(clients[who], near_empty, language) == WARNINGS[language]
    assert flag_on_page(clients["orchard"], create(service, "oranges_pujiang_farm_gate.json"),
                        "zh") is None


def test_the_command_line_flags_it(run, write_bom, monkeypatch):
    bom = write_bom(NEAR_EMPTY)
    result = run("calc", bom)
    assert result.exit_code == 0, result.output
    assert "  below the published range 0.07-0.7 kg CO2e/kg fruit: inputs may be missing\n" \
        in result.output
    monkeypatch.setenv("FOOTPRINT_LANG", "zh")  # the same line in Chinese when chosen
    result = run("calc", bom)
    assert "  低于文献范围 0.07-0.7 kg CO2e/kg 鲜果，可能缺少投入\n" in result.output

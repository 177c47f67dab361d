"""web/worksheet.py: the category parameters as a certifier reads them, by the names the plugin
gives (the BOM editor's convention: label_zh/label_en, else help_zh/help_en; a choice by its
``options``, footprint.parameters' description of the field's ``choices`` metadata), never by
their keys. Each factor's confidence level, as the page and `footprint calc` read it
(footprint.resultnames)."""
from footprint import resultnames
from web import worksheet

CLIMATE = {"name": "climate", "type": "String", "choices": ["wet_climate", "dry_climate"],
           "default": "wet_climate", "help_zh": "湿润或干旱气候", "help_en": "wet or dry climate"}
YIELD = {"name": "yield_kg_per_ha", "type": "Float", "unit": "kg/ha", "label_zh": "单产",
         "label_en": "yield", "help_zh": "每公顷年产量(商品果)", "help_en": "fruit per ha"}


def test_parameters_by_their_labels_and_choices_by_their_names():
    climate = dict(CLIMATE, options=[
        {"value": "wet_climate", "label_zh": "湿润气候", "label_en": "wet climate"},
        {"value": "dry_climate", "label_zh": "干旱气候", "label_en": "dry climate"}])
    table = worksheet.parameter_table([YIELD, climate], {"yield_kg_per_ha": 30000,
                                                         "climate": "dry_climate"})
    yield_row, climate_row = table["rows"]
    assert yield_row["name"] == {"name_zh": "单产", "name_en": "yield"}  # the label, not help
    assert (yield_row["value"], yield_row["number"], yield_row["default"]) == (30000, True, False)
    assert yield_row["unit"] == {"name_zh": "kg/ha", "name_en": "kg/ha"}
    # the chosen value's names, not the first option's
    assert climate_row["choice"] == {"name_zh": "干旱气候", "name_en": "dry climate"}
    assert climate_row["name"] == {"name_zh": "湿润或干旱气候", "name_en": "wet or dry climate"}


def test_a_default_is_marked_and_an_unnamed_choice_falls_back_to_its_value():
    table = worksheet.parameter_table([CLIMATE], {})
    [row] = table["rows"]
    assert (row["value"], row["default"], row["choice"]) == ("wet_climate", True, None)
    # footprint.parameters names an unnamed choice by its value: that is no name
    only_en = dict(CLIMATE, options=[
        {"value": "wet_climate", "label_zh": "wet_climate", "label_en": "wet climate"},
        {"value": "dry_climate", "label_zh": "dry_climate", "label_en": "dry_climate"}])
    [row] = worksheet.parameter_table([only_en], {"climate": "wet_climate"})["rows"]
    assert row["choice"] == {"name_zh": "wet climate", "name_en": "wet climate"}


def test_a_stage_is_named_in_each_language_however_the_result_stored_it():
    # as plugins give it now, and the two single texts results stored before that hold
    assert worksheet._stage_name({"zh": "主产品生产", "en": "main product production"}) == \
        {"name_zh": "主产品生产", "name_en": "main product production"}
    assert worksheet._stage_name("main product production (主产品生产)") == \
        {"name_zh": "主产品生产", "name_en": "main product production"}
    assert worksheet._stage_name("运往包装厂 / transport to the packhouse") == \
        {"name_zh": "运往包装厂", "name_en": "transport to the packhouse"}
    assert worksheet._stage_name("运输 (transport)") == {"name_zh": "运输", "name_en": "transport"}
    assert worksheet._stage_name(None) is None


def test_each_sources_confidence_is_its_level_for_the_year_it_gives():
    """The sources table says the level in the reader's language; the dataset's own note on
    how its figures were read stays for experts."""
    result = {"factors": [
        {"process": "electricity/location/CN-SC/2022", "year": 2022, "source": {
            "confidence": "2021 medium (provinces from one secondary copy); 2022 high"}},
        {"process": "electricity/location/CN-SC/2021", "year": 2021, "source": {
            "confidence": "2021 medium (provinces from one secondary copy); 2022 high"}},
        # the MEE factors' note names two years at once: 2022 is high, not the note's first
        {"process": "electricity/location/CN-SD/2022", "year": 2022, "source": {
            "confidence": "2021 medium (provinces from one secondary copy); 2022 and 2023 high"}},
        {"process": "oranges/fertiliser/urea_n", "source": {
            "confidence": "high (seen in the paper's abstract; FACTORS.md section 5)"}},
        {"process": "x", "source": {"confidence": "as published"}}],
        "method": {"source": {"confidence": "low (provisional)"}}}
    assert resultnames.confidence_levels(result) == {
        "electricity/location/CN-SC/2022": "high", "electricity/location/CN-SC/2021": "medium",
        "electricity/location/CN-SD/2022": "high",
        "oranges/fertiliser/urea_n": "high", "x": None, "method": "low"}

"""web/worksheet.py: the category parameters as a certifier reads them, by the names the plugin
gives (the BOM editor's convention: label_zh/label_en, else help_zh/help_en; choices_zh/
choices_en as a list in the order of choices or a mapping), never by their keys."""
from web import worksheet

CLIMATE = {"name": "climate", "type": "String", "choices": ["wet_climate", "dry_climate"],
           "default": "wet_climate", "help_zh": "湿润或干旱气候", "help_en": "wet or dry climate"}
YIELD = {"name": "yield_kg_per_ha", "type": "Float", "unit": "kg/ha", "label_zh": "单产",
         "label_en": "yield", "help_zh": "每公顷年产量(商品果)", "help_en": "fruit per ha"}


def test_parameters_by_their_labels_and_choices_by_their_names():
    climate = dict(CLIMATE, choices_zh=["湿润气候", "干旱气候"],
                   choices_en={"wet_climate": "wet climate", "dry_climate": "dry climate"})
    table = worksheet.parameter_table([YIELD, climate], {"yield_kg_per_ha": 30000,
                                                         "climate": "dry_climate"})
    yield_row, climate_row = table["rows"]
    assert yield_row["name"] == {"name_zh": "单产", "name_en": "yield"}  # the label, not help
    assert (yield_row["value"], yield_row["number"], yield_row["default"]) == (30000, True, False)
    assert yield_row["unit"] == {"name_zh": "kg/ha", "name_en": "kg/ha"}
    # the second choice: the second of the zh list, the mapping's entry in en
    assert climate_row["choice"] == {"name_zh": "干旱气候", "name_en": "dry climate"}
    assert climate_row["name"] == {"name_zh": "湿润或干旱气候", "name_en": "wet or dry climate"}


def test_a_default_is_marked_and_an_unnamed_choice_falls_back_to_its_value():
    table = worksheet.parameter_table([CLIMATE], {})
    [row] = table["rows"]
    assert (row["value"], row["default"], row["choice"]) == ("wet_climate", True, None)
    only_en = dict(CLIMATE, choices_en=["wet climate", "dry climate"])
    [row] = worksheet.parameter_table([only_en], {"climate": "wet_climate"})["rows"]
    assert row["choice"] == {"name_zh": "wet climate", "name_en": "wet climate"}

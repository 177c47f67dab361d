"""Chinese text is punctuated in Chinese: in every Chinese translation, a comma, colon,
semicolon or pair of brackets that punctuates Chinese words is the full-width one (，：；（）),
as a Chinese reader expects, not the ASCII one English uses. What a reader types (a syntax,
a formula) keeps its ASCII characters, and so do codes, placeholders and markup."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

CATALOGUES = sorted((Path(__file__).resolve().parent.parent / "web" / "translations" / "zh"
                     / "LC_MESSAGES").glob("*.po"))
CHINESE = "\u4e00-\u9fff\u3001\u3002\uff08\uff09\uff0c\uff1a\uff1b"
# placeholders, markup, web addresses and what is quoted ("kwh", “起-止: 基点”) are not
# the sentence's own punctuation
NOT_PROSE = re.compile(r'%\([A-Za-z_0-9]+\)[sdrf]|%[sd]|<[^>]+>|https?://\S+|“[^”]*”|"[^"]*"')
# ASCII punctuation with Chinese before it, or (comma, semicolon) after it; a bracket pair
# that follows Chinese or holds some
HALF_WIDTH = re.compile(rf"(?<=[{CHINESE}]) ?[,:;]|[,;] ?(?=[{CHINESE}])")
BRACKETS = re.compile(rf"(?<=[{CHINESE}]) ?\([^()]*\)|\([^()]*[{CHINESE}][^()]*\)")
# Typed syntax shown as it is typed: a bank's rate bands ("3-5: 10", "10-: 60") and a
# formula's product, (n - 1) p.
# the built-in plugins (footprint.plugins loads them by these names)
BUILT_IN = {"oranges", "batteries", "steel_vanadium", "materials", "generic"}
# names a dataset holds (lca_data/oranges/fertiliser_products.csv): its hash is sealed into
# every data version that has it, so they change with the dataset's next version only
PLUGIN_TYPED = {"碳酸氢铵(碳铵)", "过磷酸钙(普钙)"}
TYPED = {"每行一档，格式为 起-止: 基点（最后一档可不设上限：10-: 60）",
         "Hyndman–Fan 第 7 类（线性插值，(n - 1) p）"}


def half_width(text: str) -> list[str]:
    prose = NOT_PROSE.sub(" ", text)
    return HALF_WIDTH.findall(prose) + BRACKETS.findall(prose)


def translations(path: Path):
    with path.open("rb") as file:
        for message in read_po(file, locale="zh"):
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for string in strings:
                if message.id and string and string not in TYPED:
                    yield message.id, string


@pytest.mark.parametrize("path", CATALOGUES, ids=[p.name for p in CATALOGUES])
def test_chinese_is_punctuated_in_chinese(path):
    found = [(string, half_width(string)) for _, string in translations(path)
             if half_width(string)]
    assert found == []


def test_the_check_finds_what_it_is_for():
    # what the catalogues said before they were punctuated in Chinese
    assert half_width("发现 %(count)s 个问题:未保存任何内容") == [":"]
    assert half_width("尝试失败次数过多,请 %(minutes)s 分钟后再试。") == [","]
    assert half_width("密码已修改;您的其他会话均已失效。") == [";"]
    assert half_width("柑橘(鲜果)") == ["(鲜果)"]
    assert half_width("商品条码 (GTIN)") == [" (GTIN)"]
    # and what stays: codes, numbers, placeholders, quoted syntax, English
    assert half_width("1,000 kg CO2e (P5-P95)") == []
    assert half_width("第 %(row)s 行 · %(column)s 列") == []
    assert half_width("此处缺少冒号“:”") == []
    assert half_width("文件第 %(line)s 行第 %(column)s 列") == []


def chinese_texts(value, where: str = ""):
    """Every text with Chinese in it inside ``value`` (plain data), with where it is."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from chinese_texts(item, f"{where}.{key}")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from chinese_texts(item, f"{where}[{index}]")
    elif isinstance(value, str) and re.search("[\u4e00-\u9fff]", value):
        yield where, value


def test_the_built_in_categories_speak_chinese_punctuated_in_chinese(registry):
    # what the forms, the editor and a label show of a category: its name, description,
    # stages, and each parameter's label, help and choices (the plugins' own Chinese, which
    # no catalogue holds); 柑橘(鲜果) and 产品交付点: 果园门口… before
    from footprint.parameters import describe_parameters
    said = {c.id: {"name_zh": c.name_zh, "description_zh": c.described("zh"),
                   "stage_names": dict(c.stage_names),
                   "parameters": describe_parameters(c)}
            for c in registry.categories.values() if c.plugin in BUILT_IN}
    assert set(said) >= {"oranges", "batteries", "steel_vanadium"}
    texts = list(chinese_texts(said))
    assert len(texts) > 100
    assert [(where, text) for where, text in texts
            if half_width(text) and text not in PLUGIN_TYPED] == []


def test_the_sample_boms_name_their_products_punctuated_in_chinese():
    # the demo's products (蒲江柑橘（不知火/春见），果园门口), as a Chinese bookkeeper types them
    samples = Path(__file__).resolve().parent.parent / "lca_data" / "samples"
    names = {path.name: json.loads(path.read_text(encoding="utf-8"))["product"]["name_zh"]
             for path in samples.rglob("*.json")
             if "name_zh" in json.loads(path.read_text(encoding="utf-8"))["product"]}
    assert len(names) >= 14
    assert {name: text for name, text in names.items() if half_width(text)} == {}

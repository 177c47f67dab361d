"""An account statement: a carbon account as one JSON body, and that body as CSV, as PDF and
signed by the platform (``account-statement``, docs/signed-documents.md and
docs/carbon-accounts.md, Statement).

The CSV and the PDF say the same figures as the signed body, in both languages (column
headings "年份 year"), so a bank can file any of the three. Both are for people: their
figures are rounded as the pages round them (footprint.display) and the rating is in words;
the signed body is the machine-readable statement, with the exact figures and the rating's
code (docs/carbon-accounts.md, Statement).
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from ..display import footprint as shown_footprint
from ..display import percent, quantity
from ..labels import current_key, fonts
from ..labels.documents import sign_document
from ..labels.printed import new_pdf

KIND = "account-statement"


def reduction_body(found) -> dict | None:
    if found is None:
        return None
    return {"year": found.year, "base_year": found.base_year,
            "intensity_before": found.intensity_before,
            "intensity_after": found.intensity_after,
            "like_for_like_pct": found.like_for_like_pct,
            "as_verified_pct": found.as_verified_pct,
            "as_verified_before": found.as_verified_before,
            "as_verified_after": found.as_verified_after,
            "data_version": found.data_version, "data_version_name": found.data_version_name,
            "footprints": [{"submission": s, "revision": r, "label": label, "year": y}
                           for s, r, label, y in found.footprints]}


def body(account) -> dict:
    """The statement's fields (docs/carbon-accounts.md, Statement)."""
    rating = account.rating
    return {
        "organisation": {"id": account.org_id, "name": account.org_name},
        "data_version": account.data_version, "data_version_name": account.data_version_name,
        "baseline_year": account.baseline_year, "baseline_chosen": account.baseline_chosen,
        "products": [{
            "id": p.product_id, "name": p.name, "name_zh": p.name_zh, "category": p.category,
            "unit": p.unit,
            "footprints": [{"submission": f.submission_id, "revision": f.revision,
                            "year": f.year, "label": f.label_id, "issued_at": f.issued_at,
                            "data_version": f.data_version,
                            "data_version_name": f.data_version_name,
                            "kg_co2e": f.kg_co2e, "declared_unit": f.declared_unit}
                           for f in p.footprints],
            "production": [{"year": year, "amount": row["amount"], "unit": row["unit"]}
                           for year, row in sorted(p.production.items())]}
            for p in account.products],
        "years": [{"year": y.year, "total_kg_co2e": y.total_kg_co2e,
                   "intensity": y.intensity, "intensity_current": y.intensity_current,
                   "missing_production": list(y.missing_production)}
                  for y in account.years],
        "since_baseline": reduction_body(account.since_baseline),
        "since_last_year": reduction_body(account.since_last_year),
        "rating": None if rating is None else {
            "year": rating.year, "colour": rating.colour, "points": rating.points,
            "advancement_points": rating.advancement_points,
            "band_position": rating.band_position, "history_points": rating.history_points,
            "like_for_like_pct": rating.like_for_like_pct},
    }


def signed(account, home: Path, issuer_id: str | None = None) -> bytes:
    """The statement signed with the platform's current key (COSE_Sign1 bytes)."""
    return sign_document(KIND, body(account), current_key(home, issuer_id))


def _pct(value) -> str:
    """A reduction held in per cent (15.62) as the pages show it: "15.6 %"."""
    return "" if value is None else percent(value / 100)


COLOURS_ZH = {"dark_green": "深绿", "light_green": "浅绿", "yellow": "黄", "red": "红"}


def colour_words(colour: str) -> str:
    """A rating's colour in both languages: "深绿 dark green"."""
    return f"{COLOURS_ZH[colour]} {colour.replace('_', ' ')}"


def rows(account) -> list[list[str]]:
    """The statement as table rows: the footprints, then the years, then the reductions."""
    out = [["账户 account", account.org_name, "数据版本 data version",
            account.data_version_name or account.data_version,
            "基准年 baseline year", str(account.baseline_year or "")], [],
           ["产品 product", "参考年份 reference year", "提交 submission", "修订 revision",
            "标签 label", "数据版本 data version", "kg CO2e / 声明单位 declared unit",
            "声明单位 declared unit", "产量 production", "单位 unit"]]
    for p in account.products:
        for f in p.footprints:
            made = p.production.get(f.year)
            out.append([p.name_zh or p.name, str(f.year), str(f.submission_id),
                        str(f.revision), f.label_id, f.data_version_name or f.data_version,
                        shown_footprint(f.kg_co2e),
                        f"{quantity(f.declared_unit['amount'])} {f.declared_unit['unit']}",
                        quantity(made["amount"]) if made else "", made["unit"] if made else ""])
    out += [[], ["年份 year", "排放总量 total kg CO2e", "强度(核查时) intensity as verified",
                 "强度(现行数据) intensity under current data"]]
    for y in account.years:
        out.append([str(y.year), shown_footprint(y.total_kg_co2e), shown_footprint(y.intensity),
                    shown_footprint(y.intensity_current)])
    out += [[], ["比较 comparison", "基年 base year", "年份 year",
                 "同口径降幅 like for like", "核查时降幅 as verified"]]
    for name, found in (("较基准年 since baseline", account.since_baseline),
                        ("较上年 since last year", account.since_last_year)):
        if found is not None:
            out.append([name, str(found.base_year), str(found.year),
                        _pct(found.like_for_like_pct), _pct(found.as_verified_pct)])
    if account.rating is not None:
        out += [[], ["评级 rating", "年份 year", "颜色 colour", "得分 points (of 4)"],
                ["", str(account.rating.year), colour_words(account.rating.colour),
                 str(account.rating.points)]]
    return out


def as_csv(account) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows(account))
    return buffer.getvalue()


def _pdf_lines(account) -> list[tuple[str, str]]:
    """(style, text) lines of the PDF: "h" headings, "" plain."""
    lines = [("h", f"企业碳账户对账单 Carbon account statement: {account.org_name}"),
             ("", f"数据版本 data version: {account.data_version_name or account.data_version}"),
             ("", f"基准年 baseline year: {account.baseline_year or '-'}"), ("", ""),
             ("h", "年度数据 Annual figures (kg CO2e)")]
    for y in account.years:
        lines.append(("", f"{y.year}: 排放总量 total {shown_footprint(y.total_kg_co2e) or '-'}; "
                          f"强度 intensity {shown_footprint(y.intensity) or '-'} (核查时 as "
                          f"verified), {shown_footprint(y.intensity_current) or '-'} "
                          f"(现行数据 current data)"))
    for name, found in (("较基准年 since baseline", account.since_baseline),
                        ("较上年 since last year", account.since_last_year)):
        if found is not None:
            lines.append(("", f"{name} {found.base_year}-{found.year}: 同口径 like for like "
                              f"{_pct(found.like_for_like_pct)}, 核查时 as verified "
                              f"{_pct(found.as_verified_pct)}"))
    if account.rating is not None:
        rating = account.rating
        lines.append(("", f"评级 rating {rating.year}: {colour_words(rating.colour)} "
                          f"({rating.points}/4)"))
    lines += [("", ""), ("h", "经核查的碳足迹 Verified footprints")]
    for p in account.products:
        for f in p.footprints:
            made = p.production.get(f.year)
            lines.append(("", f"{p.name_zh or p.name} {f.year}: {shown_footprint(f.kg_co2e)} "
                              f"kg CO2e / {quantity(f.declared_unit['amount'])} "
                              f"{f.declared_unit['unit']}, {f.label_id}, "
                              f"{f.data_version_name or ''}; 产量 production "
                              f"{quantity(made['amount']) + ' ' + made['unit'] if made else '-'}"))
    return lines


def _english(text: str) -> str:
    """The English of a bilingual line, for a PDF without a Chinese font."""
    kept = "".join(ch if ord(ch) < 0x2E80 else " " for ch in text)
    return " ".join(kept.split()).encode("latin-1", "replace").decode("latin-1")


def as_pdf(account) -> bytes:
    """The statement as an A4 PDF; Chinese where a CJK font is installed, else English."""
    pdf = new_pdf(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_creator("footprint")
    pdf.set_title(f"Carbon account statement {account.org_name}")
    cjk = fonts.cjk_font()
    family, say = "helvetica", _english
    if cjk is not None:
        pdf.add_font("cjk", "", str(cjk), collection_font_number=0)
        family, say = "cjk", str
    for style, text in _pdf_lines(account):
        pdf.set_font(family, "", 13 if style == "h" else 9.5)
        pdf.multi_cell(0, 7 if style == "h" else 5.5, say(text), align="L",
                       new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())

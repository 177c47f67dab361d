"""Footprint-linked loan pricing as pure rules: a bank's terms checked, and a loan priced on
what a borrower's verified footprints show (no storage; footprint.usecases.loans gathers the
evidence, signs and stores the decision).

Terms are a base rate (e.g. the 1-year LPR, a number with its date) and rules from presets
that reproduce the published terms (docs/loans.md, ../shared/reference/LOANS.md):

    {"kind": "target", "target_pct": 10, "cut_bp": 60}     N bp off when the annual reduction
                                                            target is met (N in 30-65 bp)
    {"kind": "reduction", "min_pct": 5, "cut_bp": 10}      N bp off when the verified
                                                            reduction is at least P %
    {"kind": "label", "cut_bp": 89}                        N bp off while the product holds a
                                                            valid carbon label
    {"kind": "subsidy", "bp": 50, "cap_yuan": 50000}       an interest subsidy (零碳券): bp of
    {"kind": "subsidy", "yuan": 20000, "cap_yuan": 50000}  the principal or a sum in yuan, at
                                                            most the cap; optionally only from
                                                            "min_reduction_pct"
    {"kind": "table", "bands": [{"from_pct": 0, "to_pct": 5, "cut_bp": 10}, ...]}
                                                            the bank's own bands of reduction
                                                            (from inclusive, to exclusive,
                                                            the last may be open)

The cuts of the rules met add up; a rule set whose largest possible cut exceeds the base
rate is refused. Money is Decimal yuan rounded to the fen; rates are whole basis points.
A reduction is a percentage, positive when emissions fell; pricing takes the like-for-like
one (both years under the same data version), so new grid factors alone earn nothing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .display import yuan
from .errors import Figure, InvalidInput, Message, Problem
from .text import typed_number

BP = Decimal(10000)          # basis points in one (100 % = 10,000 bp)
FEN = Decimal("0.01")
TARGET_CUT_BP = (30, 65)     # the published range of the step cut (000 L670-707)
MAX_PRINCIPAL = Decimal("1e13")  # ten trillion yuan: anything larger is a typing error
KINDS = ("target", "reduction", "label", "subsidy", "table")

# The presets a bank starts from, with the published figures (docs/loans.md).
PRESETS = {
    "target": {"kind": "target", "target_pct": 10, "cut_bp": 60},
    "reduction": {"kind": "reduction", "min_pct": 5, "cut_bp": 10},
    "label": {"kind": "label", "cut_bp": 89},
    "coupon": {"kind": "subsidy", "bp": 50, "cap_yuan": 50000},
    "table": {"kind": "table", "bands": [{"from_pct": 3, "to_pct": 5, "cut_bp": 10},
                                         {"from_pct": 5, "to_pct": 10, "cut_bp": 30},
                                         {"from_pct": 10, "to_pct": None, "cut_bp": 60}]},
}


@dataclass(frozen=True)
class Terms:
    """A loan product's checked terms."""

    base_rate_bp: int
    base_rate_date: str          # ISO date the base rate was published
    rules: tuple                 # of rule dicts, checked, numbers as Decimal / int

    @property
    def base_rate_pct(self) -> Decimal:
        return Decimal(self.base_rate_bp) / 100


@dataclass(frozen=True)
class Evidence:
    """What the borrower's verified footprints show for the year priced."""

    reduction_pct: Decimal | None    # like for like; None when there is no base year
    label_id: str | None = None      # a label valid on the day of pricing, if any


@dataclass(frozen=True)
class Priced:
    base_rate_bp: int
    cut_bp: int
    rate_bp: int
    principal: Decimal
    interest_saved: Decimal          # a year's interest the cut saves
    subsidy: Decimal
    total_benefit: Decimal
    reasons: tuple = field(default=())   # Messages, one per rule, met or not


# -- reading numbers --------------------------------------------------------------------------

def _decimal(value, where: str, problems: list, *, required=True) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.append(Problem(where, Message("enter a value")))
        return None
    if isinstance(value, bool):
        problems.append(Problem(where, Message("must be a number, not %(value)s", value=value)))
        return None
    try:
        number = Decimal(typed_number(str(value)))  # ３．４５ as 3.45
    except InvalidOperation:
        problems.append(Problem(where, Message("must be a number, not %(value)s", value=value)))
        return None
    if not number.is_finite():
        problems.append(Problem(where, Message("must be a finite number")))
        return None
    return number


def _percent(value, where, problems, *, required=True) -> Decimal | None:
    number = _decimal(value, where, problems, required=required)
    if number is not None and not Decimal(0) <= number <= Decimal(100):
        problems.append(Problem(where, Message(
            "a percentage from 0 to 100, not %(value)s", value=value)))
        return None
    return number


def _bp(value, where, problems, low=1, high=10000) -> int | None:
    number = _decimal(value, where, problems)
    if number is None:
        return None
    if number != number.to_integral_value() or not low <= number <= high:
        problems.append(Problem(where, Message(
            "whole basis points from %(low)s to %(high)s, not %(value)s", low=low, high=high,
            value=value)))
        return None
    return int(number)


def _yuan(value, where, problems, *, required=True, typed=None) -> Decimal | None:
    """``typed``: the text the value was read from, which a refusal names (else the value)."""
    number = _decimal(value, where, problems, required=required)
    if number is None:
        return None
    if number <= 0 or number > MAX_PRINCIPAL or number != number.quantize(FEN, ROUND_HALF_UP):
        problems.append(Problem(where, Message(
            "a positive sum in yuan of at most %(max)s, with at most 2 decimals, not "
            "%(value)s", max=Figure(int(MAX_PRINCIPAL)), value=value if typed is None
            else typed)))
        return None
    return number


# A sum as a loan officer writes it: thousands separated (10,000,000), in 万 (10^4) or 亿
# (10^8) (1000万, 1.5亿), with 元 after it or not.
GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
TENS_OF_THOUSANDS = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}


def written_sum(value):
    """The sum a text such as "10,000,000", "1000万" or "1.5亿元" writes, as a Decimal; any
    other value as it is (the checks that follow name what is wrong with it)."""
    if not isinstance(value, str):
        return value
    text = typed_number(value).removesuffix("元").strip()  # １０００万 as 1000万
    factor = TENS_OF_THOUSANDS.get(text[-1:])
    if factor is not None:
        text = text[:-1].strip()
    if GROUPED.fullmatch(text):
        text = text.replace(",", "")
    if factor is None and text == value.strip():
        return value  # nothing written another way: checked as typed
    try:
        number = Decimal(text)
    except InvalidOperation:
        return value
    if not number.is_finite():
        return value
    return number * factor if factor is not None else number


# -- checking terms ----------------------------------------------------------------------------

def _rule(rule, where: str, problems: list) -> tuple[dict | None, int]:
    """The checked rule and the largest cut it can give (bp)."""
    if not isinstance(rule, dict) or rule.get("kind") not in KINDS:
        problems.append(Problem(f"{where}.kind", Message(
            "a rule is one of %(kinds)s", kinds=", ".join(KINDS))))
        return None, 0
    kind = rule["kind"]
    before = len(problems)
    if kind == "target":
        checked = {"kind": kind,
                   "target_pct": _percent(rule.get("target_pct"), f"{where}.target_pct",
                                          problems),
                   "cut_bp": _bp(rule.get("cut_bp"), f"{where}.cut_bp", problems,
                                 *TARGET_CUT_BP)}
    elif kind == "reduction":
        checked = {"kind": kind,
                   "min_pct": _percent(rule.get("min_pct"), f"{where}.min_pct", problems),
                   "cut_bp": _bp(rule.get("cut_bp"), f"{where}.cut_bp", problems)}
    elif kind == "label":
        checked = {"kind": kind, "cut_bp": _bp(rule.get("cut_bp"), f"{where}.cut_bp",
                                               problems)}
    elif kind == "subsidy":
        checked = _subsidy(rule, where, problems)
    else:
        checked = _table(rule, where, problems)
    if len(problems) > before:
        return None, 0
    if kind == "table":
        return checked, max(b["cut_bp"] for b in checked["bands"])
    return checked, checked.get("cut_bp") or 0


def _subsidy(rule: dict, where: str, problems: list) -> dict:
    has_bp, has_yuan = rule.get("bp") not in (None, ""), rule.get("yuan") not in (None, "")
    checked = {"kind": "subsidy",
               "cap_yuan": _yuan(rule.get("cap_yuan"), f"{where}.cap_yuan", problems),
               "min_reduction_pct": _percent(rule.get("min_reduction_pct"),
                                             f"{where}.min_reduction_pct", problems,
                                             required=False)}
    if has_bp == has_yuan:
        problems.append(Problem(where, Message(
            "a subsidy is either basis points of the principal or a sum in yuan")))
    elif has_bp:
        checked["bp"] = _bp(rule.get("bp"), f"{where}.bp", problems)
    else:
        checked["yuan"] = _yuan(rule.get("yuan"), f"{where}.yuan", problems)
    return checked


def _table(rule: dict, where: str, problems: list) -> dict:
    bands = rule.get("bands")
    if not isinstance(bands, list) or not bands:
        problems.append(Problem(f"{where}.bands", Message("at least one band")))
        return {}
    checked, previous = [], None
    for i, band in enumerate(bands):
        at = f"{where}.bands[{i}]"
        if not isinstance(band, dict):
            problems.append(Problem(at, Message("a band has from_pct, to_pct and cut_bp")))
            continue
        low = _percent(band.get("from_pct"), f"{at}.from_pct", problems)
        high = _percent(band.get("to_pct"), f"{at}.to_pct", problems, required=False)
        cut = _bp(band.get("cut_bp"), f"{at}.cut_bp", problems)
        if low is None or cut is None:
            continue
        if high is not None and high <= low:
            problems.append(Problem(f"{at}.to_pct", Message(
                "the band must end above where it starts (%(low)s %%)", low=low)))
        if high is None and i < len(bands) - 1:
            problems.append(Problem(f"{at}.to_pct", Message(
                "only the last band may be open-ended")))
        if previous is not None:
            if low < previous["from_pct"]:
                problems.append(Problem(f"{at}.from_pct", Message(
                    "bands must be in ascending order: %(low)s %% comes after %(before)s %%",
                    low=low, before=previous["from_pct"])))
            elif previous["to_pct"] is None or low < previous["to_pct"]:
                problems.append(Problem(f"{at}.from_pct", Message(
                    "overlaps the band before, which runs to %(end)s",
                    end=str(previous["to_pct"]) + " %" if previous["to_pct"] is not None
                    else Message("no upper end"))))
            elif cut < previous["cut_bp"]:
                problems.append(Problem(f"{at}.cut_bp", Message(
                    "a larger reduction cannot earn a smaller cut (%(before)s bp before)",
                    before=previous["cut_bp"])))
        previous = {"from_pct": low, "to_pct": high, "cut_bp": cut}
        checked.append(previous)
    return {"kind": "table", "bands": checked}


def bands_from_text(text: str, where: str = "bands") -> tuple[list[dict], list[Problem]]:
    """A threshold table as people type it, one band a line or separated by commas:
    ``3-5: 10`` (from 3 % to 5 %, 10 bp), ``10-: 60`` (10 % and more); the numbers are
    checked with the terms (check_terms), the shape here: the bands read, and a problem for
    each that could not be (at its place in the text, ``bands[1]``), to be reported with the
    terms' problems."""
    bands, problems = [], []
    # as a Chinese keyboard types it too: 3-5：10，10-：60, ３～５：１０ (NFKC makes full-width
    # forms ASCII); bands separated by 、 or ; as well, a span written 3~5, 3–5 or 3至5
    typed = typed_number(str(text or ""))
    parts = [p.strip() for p in re.split(r"[,;、\n]", typed) if p.strip()]
    for i, part in enumerate(parts):
        span, colon, cut = part.partition(":")
        low, dash, high = re.sub(r"[~–—至]", "-", span).partition("-")
        if not colon or not dash:
            problems.append(Problem(f"{where}[{i}]", Message(
                'a band is written "from-to: bp" (3-5: 10) or "from-: bp" (10-: 60), not '
                '"%(text)s"', text=part)))
            continue
        bands.append({"from_pct": low.strip(), "to_pct": high.strip() or None,
                      "cut_bp": cut.strip()})
    return bands, problems


def check_terms(base_rate_pct, base_rate_date, rules) -> Terms:
    """The terms checked, or InvalidInput with every problem at its place (``base_rate_pct``,
    ``base_rate_date``, ``rules[1].bands[2].from_pct`` ...)."""
    problems: list[Problem] = []
    rate = _decimal(base_rate_pct, "base_rate_pct", problems)
    base_bp = None
    if rate is not None:
        if rate <= 0 or rate > 100 or rate * 100 != (rate * 100).to_integral_value():
            problems.append(Problem("base_rate_pct", Message(
                "a positive rate in per cent with at most 2 decimals (3.45), not %(value)s",
                value=base_rate_pct)))
        else:
            base_bp = int(rate * 100)
    day = _date(base_rate_date, "base_rate_date", problems)
    if not isinstance(rules, (list, tuple)) or not rules:
        problems.append(Problem("rules", Message("at least one rule")))
        rules = []
    checked, largest_cut = [], 0
    for i, rule in enumerate(rules):
        one, most = _rule(rule, f"rules[{i}]", problems)
        if one is not None:
            checked.append(one)
            largest_cut += most
    if base_bp is not None and largest_cut > base_bp:
        problems.append(Problem("rules", Message(
            "the cuts add up to %(cut)s bp, more than the base rate of %(rate)s bp",
            cut=largest_cut, rate=base_bp)))
    if problems:
        raise InvalidInput(problems)
    return Terms(base_bp, day, tuple(checked))


def _date(value, where: str, problems: list) -> str | None:
    if value in (None, ""):
        problems.append(Problem(where, Message("enter a value")))
        return None
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        problems.append(Problem(where, Message("a date as YYYY-MM-DD, not %(value)s",
                                               value=value)))
        return None


def check_principal(value) -> Decimal:
    problems: list[Problem] = []
    principal = _yuan(written_sum(value), "principal", problems, typed=value)
    if problems:
        raise InvalidInput(problems)
    return principal


def terms_as_data(terms: Terms) -> dict:
    """The terms as JSON holds them (numbers as text where they are decimals)."""
    def plain(value):
        if isinstance(value, Decimal):
            return format(value.normalize(), "f")
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items() if v is not None}
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        return value
    return {"base_rate_bp": terms.base_rate_bp, "base_rate_date": terms.base_rate_date,
            "rules": plain(list(terms.rules))}


def terms_from_data(data: dict) -> Terms:
    """Stored terms read back (they were checked when stored)."""
    return check_terms(Decimal(data["base_rate_bp"]) / 100, data["base_rate_date"],
                       data["rules"])


# -- pricing -----------------------------------------------------------------------------------

def money(value: Decimal) -> Decimal:
    return value.quantize(FEN, ROUND_HALF_UP)


def _pct(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _meets(reduction: Decimal | None, threshold: Decimal) -> bool:
    return reduction is not None and reduction >= threshold


def _cut(rule: dict, evidence: Evidence) -> tuple[int, Message]:
    """(cut in bp, why) of one rule that is not a subsidy."""
    reduction = evidence.reduction_pct
    if rule["kind"] == "label":
        if evidence.label_id:
            return rule["cut_bp"], Message("label %(label)s valid: %(cut)s bp off",
                                           label=evidence.label_id, cut=rule["cut_bp"])
        return 0, Message("no valid carbon label for the product: no label cut")
    if rule["kind"] == "table":
        for band in reversed(rule["bands"]):
            inside = _meets(reduction, band["from_pct"]) and (
                band["to_pct"] is None or reduction < band["to_pct"])
            if inside:
                return band["cut_bp"], Message(
                    "reduction of %(reduction)s %% in the band from %(low)s %%: %(cut)s bp off",
                    reduction=_pct(reduction), low=_pct(band["from_pct"]), cut=band["cut_bp"])
        return 0, Message("the reduction is in no band of the table: no cut")
    threshold = rule["target_pct"] if rule["kind"] == "target" else rule["min_pct"]
    if _meets(reduction, threshold):
        return rule["cut_bp"], Message(
            "reduction of %(reduction)s %% meets %(threshold)s %%: %(cut)s bp off",
            reduction=_pct(reduction), threshold=_pct(threshold), cut=rule["cut_bp"])
    return 0, Message("reduction of %(reduction)s %% is below %(threshold)s %%: no cut",
                      reduction=_pct(reduction) if reduction is not None else "-",
                      threshold=_pct(threshold))


def _subsidy_of(rule: dict, evidence: Evidence, principal: Decimal) -> tuple[Decimal, Message]:
    floor = rule.get("min_reduction_pct")
    if floor is not None and not _meets(evidence.reduction_pct, floor):
        return Decimal(0), Message("no subsidy: the reduction is below %(threshold)s %%",
                                   threshold=_pct(floor))
    amount = money(principal * rule["bp"] / BP) if "bp" in rule else rule["yuan"]
    granted = min(amount, rule["cap_yuan"])
    return money(granted), Message("interest subsidy of %(amount)s yuan (at most %(cap)s)",
                                   amount=yuan(granted), cap=yuan(rule["cap_yuan"]))


def price(terms: Terms, evidence: Evidence, principal: Decimal) -> Priced:
    """The rate and the year's benefit of a loan of ``principal`` yuan on these terms."""
    cut, subsidy, reasons = 0, Decimal(0), []
    for rule in terms.rules:
        if rule["kind"] == "subsidy":
            amount, why = _subsidy_of(rule, evidence, principal)
            subsidy += amount
        else:
            bp, why = _cut(rule, evidence)
            cut += bp
        reasons.append(why)
    cut = min(cut, terms.base_rate_bp)  # checked with the terms; kept here as a guard
    saved = money(principal * cut / BP)
    return Priced(terms.base_rate_bp, cut, terms.base_rate_bp - cut, principal, saved,
                  money(subsidy), money(saved + subsidy), tuple(reasons))

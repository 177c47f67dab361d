"""Banks' loan products and footprint-linked loan pricing (docs/loans.md).

A bank defines loan products (a base rate with its date, and rules: footprint.loanrules). To
price a loan for a borrower that consents (footprint.usecases.consents) the use case reads
the borrower's like-for-like reduction from its carbon account (only verified, issued
footprints count; both years under the current data version, so new grid factors alone earn
nothing) and, for a named product, the label valid on the day; the pure rules give the rate
and the benefit. The decision is stored, signed by the platform as a ``loan-pricing``
document and recorded as a leaf of the transparency log, all in one transaction.

Who sees a decision: the bank that priced it (its own credit record, kept after a consent
ends) and the borrower. Anyone else: NotFound.
"""
from __future__ import annotations

import json
from decimal import Decimal

from .. import clock
from ..errors import Conflict, InvalidInput, Message, NotFound, Problem, as_data
from ..labels.documents import sign_document
from ..labels.errors import KeyStoreError
from ..labels.keys import current_key
from ..loanrules import (Evidence, Terms, check_principal, check_terms, money,
                         price as price_loan, terms_as_data, terms_from_data)
from ..store import loans as stored
from ..store.db import transaction
from ..text import checked
from ..translog import TransparencyLog
from ..translog.log import b64
from ..translog.entries import record_entry
from . import accountfootprints, reductions, transparency
from .consents import bank_org, consented_org, consenting, producer_org
from .issuing import Issuer
from .organisations import find_organisation
from .validlabels import valid_label_on

DOCUMENT_KIND = "loan-pricing"
YEARS = (2000, 2100)

products = stored.products_of
decisions_of_bank = stored.decisions_of_bank   # the operator's view (the command line)
decisions_about = stored.decisions_about


# -- loan products ---------------------------------------------------------------------------

# what a role other than a bank's users is told when it asks for loan products or a price
KEEPS_PRODUCTS = Message("only a bank's users read and define loan products")
PRICES = Message("only a bank's users price loans")


def create_product(db, bank_org_id: int, name: str, base_rate_name: str, base_rate_pct,
                   base_rate_date, rules, actor_id: int | None = None,
                   unread: list[Problem] = ()) -> dict:
    """A loan product of the bank; InvalidInput with every problem located (nothing stored).
    ``unread``: problems the caller met already reading the rules (a bank's table typed on a
    form), reported with the rest in one round."""
    problems: list[Problem] = list(unread)
    name = checked((name or "").strip(), "name", problems)
    base_rate_name = checked((base_rate_name or "").strip(), "base_rate_name", problems)
    for where, value in (("name", name), ("base_rate_name", base_rate_name)):
        if not value or len(value) > 200:
            problems.append(Problem(where, Message("1 to 200 characters")))
    terms = None
    try:
        terms = check_terms(base_rate_pct, base_rate_date, rules)
    except InvalidInput as exc:
        # a rule the caller could not read was given all the same: not "at least one rule"
        problems.extend(p for p in exc.problems
                        if not (unread and p.where == "rules" and not rules))
    if name and stored.product_named(db, bank_org_id, name) is not None:
        problems.append(Problem("name", Message('"%(name)s" is taken', name=name)))
    if problems:
        raise InvalidInput(problems)
    with transaction(db):
        product_id = stored.insert_product(db, bank_org_id, name, base_rate_name,
                                           terms_as_data(terms), actor_id)
    return stored.product(db, product_id)


def product_of(db, bank_org_id: int, product_id: int) -> dict:
    found = stored.product(db, product_id)
    if found is None or found["bank_org_id"] != bank_org_id:
        raise NotFound(Message("no such loan product"))
    return found


def product_named(db, bank_org_id: int, name) -> dict:
    """A bank's loan product by name or number (the command line's way)."""
    text = str(name or "").strip()
    found = stored.product_named(db, bank_org_id, text)
    if found is None and text.isdigit() and int(text) < 2 ** 63:
        found = stored.product(db, int(text))
    if found is None or found["bank_org_id"] != bank_org_id:
        raise InvalidInput([Problem("product", Message('no loan product "%(name)s"',
                                                       name=text))])
    return found


def priced_products(db, bank_org_id: int) -> list[dict]:
    """Each consenting organisation's products that have verified footprints, for choosing
    one to price on, and the years its whole account can be priced on: ``[{"org_id",
    "org_name", "products": [(product_id, name_zh, name)], "years": [year]}]``."""
    out = []
    for org in consenting(db, bank_org_id):
        names = {}
        found = accountfootprints.footprints(db, org["id"])
        for footprint in found:
            product = footprint.bom["product"]
            names[footprint.product_id] = (product.get("name_zh"), product["name"])
        out.append({"org_id": org["id"], "org_name": org["name"],
                    "products": [(pid, zh, en) for pid, (zh, en) in sorted(names.items())],
                    "years": priceable_years(found)})
    return out


def priceable_years(found) -> list[int]:
    """The years a whole account can be priced on: a verified footprint in the year and in
    the year before it (the reduction's base), as ``reductions.reduction`` asks."""
    years = {footprint.year for footprint in found}
    return sorted(year for year in years if year - 1 in years)


def terms_of(product: dict) -> Terms:
    return terms_from_data(product["terms"])


# -- pricing ---------------------------------------------------------------------------------

def _year(value, problems: list) -> int | None:
    if value is None or not str(value).strip():
        problems.append(Problem("year", Message("enter a value")))
        return None
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        year = None
    if year is None or not YEARS[0] <= year <= YEARS[1]:
        problems.append(Problem("year", Message("a year from %(low)s to %(high)s, not "
                                                "%(value)s", low=YEARS[0], high=YEARS[1],
                                                value=value)))
        return None
    return year


def _money(value: Decimal) -> str:
    """Yuan to the fen, as stored and signed: "10000000.00"."""
    return format(money(value), "f")


def explain(reduction, label_id: str | None, product_id: int | None,
            terms: Terms) -> list[Message]:
    """What the pricing read, before the rules' own reasons: the footprints and labels
    used, and the rule that only a like-for-like reduction counts."""
    used = [Message("footprint of submission %(submission)s (revision %(revision)s, "
                    "%(year)s), label %(label)s", submission=s, revision=r, year=y, label=lab)
            for s, r, lab, y in reduction.footprints]
    lines = [Message("reduction from %(base)s to %(year)s, both years under data version "
                     "%(version)s: %(pct)s %% (as verified then: %(verified)s %%); only the "
                     "former counts", base=reduction.base_year, year=reduction.year,
                     version=reduction.data_version_name or reduction.data_version[:12],
                     pct=_round(reduction.like_for_like_pct),
                     verified=_round(reduction.as_verified_pct)), *used]
    if product_id is None and any(r["kind"] == "label" for r in terms.rules):
        lines.append(Message("no product named: the label rule cannot apply"))
    elif label_id:
        lines.append(Message("label %(label)s valid on the day of pricing", label=label_id))
    return lines


def _round(pct: float) -> str:
    return format(Decimal(str(pct)).quantize(Decimal("0.01")), "f")


def price(db, engine, issuer: Issuer, bank_org_id: int, loan_product_id: int,
          borrower_org_id: int, principal, year, product_id: int | None = None,
          actor_id: int | None = None) -> dict:
    """Price a loan and keep the decision, signed and logged; returns the stored decision.

    NotFound: a borrower that does not consent to the bank (or no such organisation), a loan
    product of another bank. InvalidInput: the principal, the year, a year without verified
    footprints. Nothing is stored unless all is well."""
    borrower = consented_org(db, bank_org_id, borrower_org_id)
    loan_product = product_of(db, bank_org_id, loan_product_id)
    problems: list[Problem] = []
    try:
        principal = check_principal(principal)
    except InvalidInput as exc:
        problems.extend(exc.problems)
    year = _year(year, problems)
    if problems:
        raise InvalidInput(problems)
    # only verified, issued footprints; both years under the current data version
    reduction = reductions.reduction(db, engine, borrower["id"], year,
                                     product_id=product_id)
    day = clock.now().date().isoformat()
    label_id = valid_label_on(db, borrower["id"], product_id, day) \
        if product_id is not None else None
    terms = terms_of(loan_product)
    # the reduction to the hundredth of a per cent, as the decision shows and signs it
    evidence = Evidence(Decimal(_round(reduction.like_for_like_pct)), label_id)
    priced = price_loan(terms, evidence, principal)
    explanation = [*explain(reduction, label_id, product_id, terms), *priced.reasons]
    try:
        key = current_key(issuer.home, issuer.issuer_id)
    except KeyStoreError as exc:  # no key to sign with: nothing is stored
        raise Conflict(Message("the platform cannot sign decisions yet: %(why)s",
                               why=exc.message)) from None
    at = clock.now()
    row = {"bank_org_id": bank_org_id, "loan_product_id": loan_product["id"],
           "borrower_org_id": borrower["id"], "product_id": product_id, "year": year,
           "principal": _money(principal), "base_rate_bp": priced.base_rate_bp,
           "cut_bp": priced.cut_bp, "rate_bp": priced.rate_bp,
           "interest_saved": _money(priced.interest_saved), "subsidy": _money(priced.subsidy),
           "total_benefit": _money(priced.total_benefit),
           "explanation_json": json.dumps([as_data(m) for m in explanation],
                                          ensure_ascii=False),
           "priced_by": actor_id, "priced_at": clock.stamp(at)}
    with transaction(db):
        decision_id = stored.insert_decision(db, row)
        bank = find_organisation(db, bank_org_id)
        body = _document_body(decision_id, row, loan_product, bank, borrower, reduction,
                              label_id, explanation)
        document = sign_document(DOCUMENT_KIND, body, key, now=at)
        log = TransparencyLog(db)
        index = log.append("record", None,
                           record_entry(DOCUMENT_KIND, str(decision_id), document, at))
        stored.set_document(db, decision_id, document, index)
    return stored.decision(db, decision_id)


def _document_body(decision_id: int, row: dict, loan_product: dict, bank: dict,
                   borrower: dict, reduction, label_id: str | None,
                   explanation: list[Message]) -> dict:
    """What the signed document states (docs/loans.md lists each field)."""
    terms = loan_product["terms"]
    return {
        "decision": str(decision_id),
        "bank": {"id": bank["id"], "name": bank["name"],
                 "credit_code": bank.get("credit_code")},
        "borrower": {"id": borrower["id"], "name": borrower["name"],
                     "credit_code": borrower.get("credit_code")},
        "loan_product": {"id": loan_product["id"], "name": loan_product["name"],
                         "base_rate_name": loan_product["base_rate_name"], **terms},
        "product": row["product_id"], "year": row["year"], "base_year": reduction.base_year,
        "principal_yuan": row["principal"],
        "like_for_like_reduction_pct": _round(reduction.like_for_like_pct),
        "as_verified_reduction_pct": _round(reduction.as_verified_pct),
        "data_version": reduction.data_version,
        "footprints": [{"submission": s, "revision": r, "label": lab, "year": y}
                       for s, r, lab, y in reduction.footprints],
        "label": label_id,
        "base_rate_bp": row["base_rate_bp"], "cut_bp": row["cut_bp"], "rate_bp": row["rate_bp"],
        "interest_saved_yuan": row["interest_saved"], "subsidy_yuan": row["subsidy"],
        "total_benefit_yuan": row["total_benefit"],
        "explanation": [str(m) for m in explanation],
        "priced_at": row["priced_at"],
    }


# -- reading decisions -----------------------------------------------------------------------

def _may_see(user: dict, decision: dict) -> bool:
    if user["role"] == "bank":
        return decision["bank_org_id"] == user["org_id"]
    if user["role"] == "producer":
        return decision["borrower_org_id"] == user["org_id"]
    return False


def decision_for(db, user: dict, decision_id: int) -> dict:
    found = stored.decision(db, decision_id)
    if found is None or not _may_see(user, found):
        raise NotFound(Message("no such loan decision"))
    return found


def evidence_of(db, decision: dict) -> list[dict]:
    """The footprints a decision was priced on, oldest year first: ``{"year", "label",
    "footprint"}``, the label the decision names and the footprint as the borrower's account
    reads it now (its accounting body, range, grade and data quality), or None where it no
    longer counts (its label revoked since)."""
    counted = {f.submission_id: f
               for f in accountfootprints.footprints(db, decision["borrower_org_id"])}
    used = [m["params"] for m in decision["explanation"]
            if {"submission", "label", "year"} <= set(m.get("params") or {})]
    return sorted(({"year": p["year"], "label": p["label"],
                    "footprint": counted.get(p["submission"])} for p in used),
                  key=lambda row: row["year"])


def decisions_for(db, user: dict) -> list[dict]:
    """The bank's decisions, or those about the producer's organisation, newest first."""
    if user["role"] == "bank":
        return stored.decisions_of_bank(db, bank_org(user))
    return stored.decisions_about(db, producer_org(user))


def document_for(db, user: dict, decision_id: int) -> bytes:
    """The signed ``loan-pricing`` document (COSE_Sign1 bytes)."""
    decision_for(db, user, decision_id)
    return stored.document(db, decision_id)


def proof_for(db, user: dict, decision_id: int, size: int | None = None) -> dict:
    """The inclusion proof of the decision's record leaf (base64 hashes)."""
    decision = decision_for(db, user, decision_id)
    if size is not None and size <= decision["log_index"]:
        raise InvalidInput([Problem("tree_size", Message(
            "the decision is leaf %(index)s: tree_size must be more than that",
            index=decision["log_index"]))])
    proof = transparency.inclusion(db, decision["log_index"], size)
    entry = TransparencyLog(db).entry(decision["log_index"])["entry"]
    return {**proof, "entry": b64(bytes(entry))}


def price_for(db, engine, issuer: Issuer, user: dict, loan_product_id: int,
              borrower_org_id: int, principal, year, product_id: int | None = None) -> dict:
    """``price`` as a bank user: for the user's bank, recording who priced."""
    return price(db, engine, issuer, bank_org(user, PRICES), loan_product_id, borrower_org_id,
                 principal, year, product_id, actor_id=user["id"])


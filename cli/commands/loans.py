"""``footprint consents grant | revoke | list``: which banks may read an organisation's carbon
account; ``footprint loans products create | list``, ``footprint loans price`` and
``footprint loans decisions``: banks' loan products and footprint-linked loan pricing
(docs/loans.md). The command line acts as the platform's operator: it records no user.

Bad input (an unknown bank, borrower or loan product, a borrower that does not consent, bad
terms, a year without verified footprints) exits 2 with every problem; nothing is stored.
"""
from __future__ import annotations

import json

import click

from footprint.display import rate, yuan
from footprint.engine import Engine
from footprint.errors import Message, from_data
from footprint.loanrules import PRESETS
from footprint.settings import footprint_home
from footprint.usecases import consents, loans
from footprint.usecases.database import open_database
from footprint.usecases.issuing import Issuer
from footprint.usecases.organisations import find_organisation

from .. import render
from ..errors import fail_cleanly, usage_exit
from ..language import listed, said, say, term


# the kinds of a loan product's rules (footprint.loanrules.KINDS), as a listing names them
RULES = {"target": Message("annual reduction target"),
         "reduction": Message("verified reduction"), "label": Message("valid carbon label"),
         "subsidy": Message("interest subsidy"), "table": Message("reduction bands")}


def _db():
    return open_database(footprint_home())


# -- consents --------------------------------------------------------------------------------

@click.group("consents")
def consents_group():
    """Banks' access to organisations' carbon accounts."""


def _change(change, org, bank, done: Message) -> None:
    db = _db()
    found = find_organisation(db, org)
    bank_row = change(db, found["id"], bank)
    click.echo(said(done.format(bank=bank_row["name"], org=found["name"])))



@consents_group.command("grant")
@click.option("--org", required=True,
              help="The organisation that consents (number, credit code or name).")
@click.option("--bank", required=True, help="The bank (number, credit code or name).")
@fail_cleanly
def grant(org, bank):
    """Let BANK read ORG's carbon account and price loans on it."""
    _change(consents.grant, org, bank,
            Message("%(bank)s may now read the carbon account of %(org)s"))


@consents_group.command("revoke")
@click.option("--org", required=True, help="The organisation (number, credit code or name).")
@click.option("--bank", required=True, help="The bank (number, credit code or name).")
@fail_cleanly
def revoke(org, bank):
    """End BANK's access to ORG's carbon account."""
    _change(consents.revoke, org, bank,
            Message("%(bank)s can no longer read the carbon account of %(org)s"))


@consents_group.command("list")
@click.option("--org", help="Every bank and ORG's consent to it.")
@click.option("--bank", help="The organisations that consent to BANK.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@fail_cleanly
def list_(org, bank, as_json):
    """Consents of an organisation (--org) or to a bank (--bank)."""
    if (org is None) == (bank is None):
        wrong = Message("name one of --org and --bank")
        usage_exit(wrong)
    db = _db()
    if org is not None:
        rows = consents.banks(db, find_organisation(db, org)["id"])
        shown = [[r["id"], r["name"], render.when(r["granted_at"])] for r in rows]
        header = [term("org_kind", "bank"), say("name"), render.in_zone(say("granted"))]
    else:
        rows = consents.consenting(db, consents.find_bank(db, bank)["id"])
        shown = [[r["id"], r["name"], render.when(r["granted_at"])] for r in rows]
        header = [say("organisation"), say("name"), render.in_zone(say("granted"))]
    if as_json:
        render.dump(rows)
    else:
        click.echo(render.table(shown, header) if rows else say("none"))


# -- loans -----------------------------------------------------------------------------------

@click.group("loans")
def loans_group():
    """Banks' loan products and footprint-linked loan pricing."""


@loans_group.group("products")
def products():
    """A bank's loan products: base rate and rules."""


def _rules(presets, rules_json) -> list:
    chosen = [dict(PRESETS[name]) for name in presets]
    for text in rules_json:
        try:
            rule = json.loads(text)
        except ValueError as exc:
            wrong = Message("--rule is a JSON object: %(problem)s", problem=str(exc))
            usage_exit(wrong)
        chosen.append(rule)
    return chosen


@products.command("create")
@click.option("--bank", required=True, help="The bank (number, credit code or name).")
@click.option("--name", required=True, help="The loan product's name.")
@click.option("--base-rate", "base_rate", required=True,
              help="The base rate in per cent a year, e.g. 3.0 (the 1-year LPR).")
@click.option("--base-rate-date", required=True, help="When it was published (YYYY-MM-DD).")
@click.option("--base-rate-name", default="1年期LPR 1-year LPR", show_default=True,
              help="The base rate's name as the product and its decisions show it.")
@click.option("--preset", "presets", multiple=True, type=click.Choice(sorted(PRESETS)),
              help="A rule with the published figures (repeatable): target (10 % met: 60 "
                   "bp), reduction (at least 5 %: 10 bp), label (89 bp), coupon (50 bp, at "
                   "most 50,000 yuan), table.")
@click.option("--rule", "rules_json", multiple=True,
              help='A rule as JSON (repeatable), e.g. \'{"kind": "target", "target_pct": 8, '
                   '"cut_bp": 45}\' (docs/loans.md).')
@fail_cleanly
def create_product(bank, name, base_rate, base_rate_date, base_rate_name, presets,
                   rules_json):
    """Define a loan product of BANK."""
    db = _db()
    made = loans.create_product(db, consents.find_bank(db, bank)["id"], name, base_rate_name,
                                base_rate, base_rate_date, _rules(presets, rules_json))
    click.echo(say("loan product %(id)s: %(name)s, %(base)s %(rate)s, %(count)s rule(s)",
                   id=made["id"], name=made["name"], base=base_rate_name,
                   rate=rate(made["terms"]["base_rate_bp"]), count=len(made["terms"]["rules"])))


@products.command("list")
@click.option("--bank", required=True, help="The bank (number, credit code or name).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@fail_cleanly
def list_products(bank, as_json):
    """BANK's loan products."""
    db = _db()
    rows = loans.products(db, consents.find_bank(db, bank)["id"])
    if as_json:
        render.dump(rows)
        return
    click.echo(render.table([[r["id"], r["name"], rate(r["terms"]["base_rate_bp"]),
                              listed(said(RULES.get(rule["kind"], rule["kind"]))
                                     for rule in r["terms"]["rules"])]
                             for r in rows],
                            [say("id"), say("name"), say("base rate"), say("rules")])
               if rows else say("no loan products"))


@loans_group.command("price")
@click.option("--bank", required=True, help="The bank (number, credit code or name).")
@click.option("--borrower", required=True,
              help="The organisation (number, credit code or name); it must consent to "
                   "the bank.")
@click.option("--product", "loan_product", required=True,
              help="The bank's loan product (name or number).")
@click.option("--principal", required=True, help="Yuan, e.g. 10000000.")
@click.option("--year", required=True, help="The year priced on (its reduction is from the "
                                            "year before).")
@click.option("--for-product", "product_id", type=int, default=None,
              help="One product of the borrower (its number): its reduction, and its label "
                   "for the label rule.")
@click.option("--issuer", default=None, help="The issuer that signs, when the platform has "
                                             "several.")
@click.option("--json", "as_json", is_flag=True, help="Print the decision as JSON.")
@fail_cleanly
def price(bank, borrower, loan_product, principal, year, product_id, issuer, as_json):
    """Price a loan; the decision is signed and recorded in the transparency log."""
    home = footprint_home()
    db = open_database(home)
    bank_row = consents.find_bank(db, bank)
    borrower_row = find_organisation(db, borrower, "borrower")
    product = loans.product_named(db, bank_row["id"], loan_product)
    # a borrower that does not consent: NotFound, bad input (exit 2, fail_cleanly)
    decision = loans.price(db, Engine(home), Issuer(home, issuer), bank_row["id"],
                           product["id"], borrower_row["id"], principal, year, product_id)
    if as_json:
        render.dump(decision)
        return
    click.echo(say("decision %(id)s: %(rate)s (%(base)s less %(cut)s bp)", id=decision["id"],
                   rate=rate(decision["rate_bp"]), base=rate(decision["base_rate_bp"]),
                   cut=decision["cut_bp"]))
    click.echo(say("principal %(principal)s yuan; interest saved a year %(saved)s; subsidy "
                   "%(subsidy)s; total benefit %(benefit)s yuan",
                   principal=yuan(decision["principal"]),
                   saved=yuan(decision["interest_saved"]), subsidy=yuan(decision["subsidy"]),
                   benefit=yuan(decision["total_benefit"])))
    for line in decision["explanation"]:
        click.echo(f"  - {said(from_data(line))}")
    # the log's own index, from 0, as footprint.display.leaf says it
    click.echo(say("signed and logged as leaf %(index)s of the transparency log",
                   index=decision["log_index"]))


@loans_group.command("decisions")
@click.option("--bank", help="The loans BANK priced.")
@click.option("--borrower", help="The loans priced on BORROWER's account.")
@fail_cleanly
def decisions(bank, borrower):
    """Priced loans of a bank or about a borrower, newest first."""
    if (bank is None) == (borrower is None):
        wrong = Message("name one of --bank and --borrower")
        usage_exit(wrong)
    db = _db()
    rows = loans.decisions_of_bank(db, consents.find_bank(db, bank)["id"]) if bank else \
        loans.decisions_about(db, find_organisation(db, borrower, "borrower")["id"])
    click.echo(render.table([[d["id"], render.when(d["priced_at"]), d["bank_name"],
                              d["borrower_name"], yuan(d["principal"]), rate(d["rate_bp"]),
                              yuan(d["total_benefit"])] for d in rows],
                            [say("id"), render.in_zone(say("priced")),
                             term("org_kind", "bank"), say("borrower"), say("principal"),
                             say("rate"), say("benefit")]) if rows else say("no loans priced"))

"""Organisations: the rules of naming, finding, making and correcting them.

An organisation's region is one the registry knows; its name, or the Chinese or the English
part of a bilingual name, names no other; a unified social credit code is checked and unique.
An organisation is found as people name it (find_organisation: its number, credit code, name,
or the Chinese or the English part of a bilingual name), never made unasked, and corrected
(name, region, credit code) only by an administrator (or the operator at the command line),
a security event. Its users are footprint.usecases.users'.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from ..engine.regions import region_code, unknown_region
from ..errors import Forbidden, InvalidInput, Message, Named, NotFound, Problem, Text, Word
from ..identifiers import credit_code
from ..store import accounts as stored
from ..store.db import transaction
from ..suggest import CJK, unknown
from ..text import checked
from ..workflow import ORG_KINDS
from . import security

# a page says "region" of a BOM as its region of production: an organisation's is its own
ORG_REGION = (Text("机构所在地区", "organisation's region"),)

# what the pages read, as the store gives it
organisation = stored.organisation
organisation_numbered = stored.organisation_numbered
list_organisations = stored.organisations


def name_parts(name: str) -> tuple[str, str]:
    """A bilingual name's Chinese part and its English part ("蒲江县柑橘专业合作社 Pujiang
    Citrus Co-operative" -> ("蒲江县柑橘专业合作社", "Pujiang Citrus Co-operative")); a part the
    name lacks is "". Words with a Chinese character are the Chinese part."""
    words = str(name or "").split()
    return (" ".join(w for w in words if CJK.search(w)),
            " ".join(w for w in words if not CJK.search(w)))


def _folded(text: str) -> str:
    """Text as a name is compared: NFC, spaces collapsed, Latin letters in any case."""
    return " ".join(unicodedata.normalize("NFC", str(text)).split()).casefold()


def _calls(org: dict, folded: str) -> bool:
    """Whether ``folded`` is the organisation's stored name, its Chinese or its English part."""
    return folded in {_folded(n) for n in (org["name"], *name_parts(org["name"])) if n}


def _named(org: dict) -> Named:
    """An organisation as a message names it: by the part of its name in the reader's
    language (the whole name where it has only one)."""
    zh, en = name_parts(org["name"])
    return Named(org["name"], zh or org["name"], en or org["name"])


def _quoted(orgs: list[dict]) -> list[Message] | Message:
    return [Message('"%(name)s"', name=_named(o)) for o in orgs] or Message("none")


def find_organisation(db, org, where: str = "org", kind: str | None = None) -> dict:
    """The organisation ``org`` names as people name it (of ``kind``, when given): its
    number, its unified social credit code, its stored name, or the Chinese or the English
    part of a bilingual name (Latin letters in any case). Else InvalidInput at ``where``
    listing the candidates, or the organisations it names when it names several: what every
    command and form that names an organisation reads it with."""
    text = " ".join(unicodedata.normalize("NFC", str(org if org is not None else "")).split())
    known = stored.organisations(db, kind)
    if not text:
        raise InvalidInput([Problem(where, _none_named(kind, known))])
    if text.isdigit() and int(text) < 2 ** 63:
        found = [o for o in known if o["id"] == int(text)]
    else:
        found = []
    if not found:
        try:
            code = credit_code(text)
        except ValueError:
            code = None
        found = [o for o in known if code is not None and o["credit_code"] == code]
    found = found or [o for o in known if o["name"] == text] or \
        [o for o in known if _calls(o, _folded(text))]
    if len(found) == 1:
        return found[0]
    if found:
        raise InvalidInput([Problem(where, Message(
            '"%(name)s" names several organisations: %(names)s; write the full name, the '
            "credit code or the number", name=text,
            names=[f'{o["id"]} "{o["name"]}"' for o in sorted(found, key=lambda o: o["id"])]
        ))])
    raise InvalidInput([Problem(where, _unknown(kind, text, known))])


def _none_named(kind: str | None, known: list[dict]) -> Message:
    if kind == "accounting_body":
        return Message("name an accounting body: one of %(names)s", names=_quoted(known))
    if kind == "bank":
        return Message("name a bank: one of %(names)s", names=_quoted(known))
    return Message("name an organisation: one of %(names)s", names=_quoted(known))


def _unknown(kind: str | None, text: str, known: list[dict]) -> Message:
    if kind == "accounting_body":
        return Message('no accounting body "%(name)s"; one of: %(names)s', name=text,
                       names=_quoted(known))
    if kind == "bank":
        return Message('no bank "%(name)s"; one of: %(names)s', name=text,
                       names=_quoted(known))
    if not known:
        return Message('organisation "%(name)s" unknown: none is recorded yet', name=text)
    return unknown(Message("organisation"), text, [o["name"] for o in known],
                   named={o["name"]: _named(o) for o in known})


def _kinds() -> list[Word]:
    return [Word("org_kind", k) for k in ORG_KINDS]


def checked_region(region: str | None, registry, problems: list[Problem]) -> str | None:
    """An organisation's region as the code of one of ``registry``'s regions (四川 and
    Sichuan read as CN-SC); None for none; else a problem at "region" with the nearest
    regions (footprint.suggest) added to ``problems``."""
    known = len(problems)
    region = checked((region or "").strip(), "region", problems) or None
    if region is None or len(problems) > known:
        return None
    if registry is None:  # a caller's mistake, not the user's: nothing to check against
        raise ValueError("an organisation's region is checked against the registry's regions")
    code = region_code(registry, region)
    if code is None:
        problems.append(Problem("region", unknown_region(registry, region), ORG_REGION))
    return code


@dataclass(frozen=True)
class NewOrganisation:
    """What a user's new organisation is made with besides its name: its kind (by default
    the one the user's role implies), its region and unified social credit code."""

    kind: str | None = None
    region: str | None = None
    credit_code: str | None = None


def create_organisation(db, name: str, kind: str, region: str | None = None,
                        credit_code: str | None = None, registry=None) -> dict:
    """A new organisation, refused when its name (or its Chinese or English part) already
    names one. Its region, optional, is one of ``registry``'s (a code, or a name: 四川 is
    CN-SC). The unified social credit code is optional; labels sign it to name the producer,
    and sign the platform's organisation number when it is missing."""
    problems: list[Problem] = []
    made = checked_new_organisation(db, name, kind, region, credit_code, registry, problems)
    if problems:
        raise InvalidInput(problems)
    with transaction(db):
        org_id = stored.insert_organisation(db, *made)
    return stored.organisation(db, org_id)


def checked_new_organisation(db, name: str, kind: str, region: str | None,
                             code: str | None, registry, problems: list[Problem],
                             where: str = "name") -> tuple[str, str, str | None, str | None]:
    """A new organisation's name, kind, region and credit code as stored, each problem
    added to ``problems`` (the name's at ``where``)."""
    name = _checked_name(db, name, where, problems)
    region = checked_region(region, registry, problems)
    if kind not in ORG_KINDS:
        problems.append(Problem("kind", Message("organisation kind must be one of %(kinds)s",
                                                kinds=_kinds())))
    try:
        code = checked_credit_code(db, code)
    except InvalidInput as exc:
        problems.extend(exc.problems)
    return name, kind, region, code


def _checked_name(db, name: str, where: str, problems: list[Problem],
                  other_than: int | None = None) -> str:
    """An organisation's name as stored (NFC, no invisible controls, 1 to 200 characters),
    unless it, its Chinese or its English part already names another organisation (than
    ``other_than``): two that one name finds could no longer be told apart."""
    known = len(problems)
    name = checked(" ".join(str(name or "").split()), where, problems)
    if len(problems) > known:
        return name
    if not name or len(name) > 200:
        problems.append(Problem(where, Message("1 to 200 characters")))
        return name
    for org in stored.organisations(db):
        if org["id"] != other_than and any(
                _calls(org, _folded(n)) for n in (name, *name_parts(name)) if n):
            problems.append(Problem(where, Message(
                'an organisation "%(name)s" exists already', name=org["name"])))
            break
    return name


def edit_organisation(db, actor: dict | None, org_id: int, *, name: str | None = None,
                      region: str | None = None, credit_code: str | None = None,
                      registry=None, address: str | None = None) -> dict:
    """Correct an organisation's name, region or unified social credit code (None leaves
    one as it is; "" clears the region or the code): an administrator, or ``actor`` None,
    the operator at the command line. Each is checked as a new organisation's is. Labels
    issued before keep the name and code they signed; labels issued after sign the new
    ones. A change is a security event naming what it was and what it is, with who made
    it and from where; a refusal changes nothing. Its kind is not edited: it fixes what
    its users' roles may be and what the records made by them mean."""
    if actor is not None and actor["role"] != "admin":
        raise Forbidden(Message("only an administrator edits organisations"))
    org = stored.organisation_numbered(db, org_id)
    if org is None:
        raise NotFound(Message("no such organisation"))
    problems: list[Problem] = []
    wanted = {}
    if name is not None:
        wanted["name"] = _checked_name(db, name, "name", problems, other_than=org["id"])
    if region is not None:
        wanted["region"] = checked_region(region, registry, problems)
    if credit_code is not None:
        try:
            wanted["credit_code"] = checked_credit_code(db, credit_code, org["id"])
        except InvalidInput as exc:
            problems.extend(exc.problems)
    if problems:
        raise InvalidInput(problems)
    changes = {k: v for k, v in wanted.items() if v != org[k]}
    if not changes:
        return org
    with transaction(db):
        stored.update_organisation(db, org["id"], changes)
    said = "; ".join(f'{k.replace("_", " ")} {_shown(org[k])} -> {_shown(v)}'
                     for k, v in changes.items())
    security.event(db, "organisation-edited", actor["username"] if actor else None, address,
                   f"organisation {org['id']}: {said}; by {security.acted_by(actor)}")
    return stored.organisation(db, org["id"])


def _shown(value) -> str:
    return f'"{value}"' if value else "none"


def set_credit_code(db, org_id: int, code: str | None) -> dict:
    """Set (or with None clear) an organisation's unified social credit code. Labels issued
    before keep what they signed."""
    org = stored.organisation(db, org_id)
    code = checked_credit_code(db, code, org_id)
    with transaction(db):
        stored.set_credit_code(db, org["id"], code)
    return stored.organisation(db, org["id"])


def checked_credit_code(db, value, org_id: int | None = None) -> str | None:
    """A unified social credit code, compacted, checked and not another organisation's."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        code = credit_code(value)
    except ValueError as exc:
        raise InvalidInput([Problem("credit_code", exc.args[0])]) from None
    holder = stored.organisation_with_code(db, code, org_id)
    if holder is not None:
        raise InvalidInput([Problem("credit_code", Message(
            '%(code)s is the code of "%(name)s" already', code=code, name=holder["name"]))])
    return code

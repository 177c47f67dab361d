"""Demo data for ``footprint demo``: organisations, users, submissions in every state, and
the carbon labels their approvals issued.

    result = seed(db, engine)     # a migrated database; all or nothing; idempotent

Everything is written through the same use cases real users go through (seed_user,
create_submission, revise, act, comment, revoke), so the demo obeys the same workflow rules
and leaves the same audit trail and transparency log as real use. The submissions are built from the
sample BOMs in lca_data/samples.

The platform's issuer key (CN-SC) is generated once, in the demo's FOOTPRINT_HOME (the
engine's home unless ``home`` is given), the first time the demo is seeded; a home that has
a CN-SC key keeps it. Every approval issues a signed label; one label is revoked with a
public reason and one is superseded by a later approval of the same product.

The demo platform issued its labels under the MEE-2022 factor release (DATA_VERSION), and its
products follow the platform's current release rather than pinning a factor year, so
``footprint recalc --reissue`` moves them to the newest release and re-issues their labels.

The passwords below are fixed and published: they are for a local demonstration only. Demo
data goes into an empty database, or one this module already seeded (then nothing is added);
a database with anyone else's accounts is refused, so the published passwords never end up
next to real data.
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import resources
from pathlib import Path

from ..accreditation import today
from ..engine import Engine
from ..errors import Conflict, Message
from ..labels import generate
from ..labels.keys import own_entries
from ..store import accounts as store_accounts
from ..store.db import transaction
from . import consents, loans, review
from . import submissions as subs
from .actions import VERIFY_CHECKLIST, act
from .accountdeclarations import declare_production
from .accountfootprints import footprints
from .issuing import Issuer
from .labels import for_submission
from .organisations import set_credit_code
from .qualifications import qualify
from .revoking import revoke
from .users import seed_user

DEMO_PASSWORD = "footprint-demo"  # published on purpose: demonstration only
# The accounting body's accreditation (made up): every category, from a year ago for three
# years, so the demo's verifications are qualified whenever it is seeded.
QUALIFICATION_NUMBER = "川碳核资〔2025〕057号"
QUALIFIED_SINCE_DAYS, QUALIFIED_FOR_DAYS = 365, 3 * 365


@dataclass(frozen=True)
class Organisation:
    name: str
    region: str | None = None
    credit_code: str | None = None


# The credit codes are made up for the demo (valid check characters, registered nowhere).
# The Shandong battery maker has none on record: a label of its would sign its organisation
# number instead.
COOP = Organisation("蒲江县柑橘专业合作社 Pujiang Citrus Co-operative", "CN-SC",
                    "93510131MA6CP0001H")
CQ_BATTERY = Organisation("重庆储能电池有限公司 Chongqing Storage Battery Co.", "CN-CQ",
                          "91500000MA60CQ002X")
SD_BATTERY = Organisation("枣庄锂电科技有限公司 Zaozhuang Lithium Battery Co.", "CN-SD")
STEEL = Organisation("攀枝花钒钛钢铁有限公司 Panzhihua V-Ti Steel Works", "CN-SC",
                     "91510400MA62PK0043")
BODY = Organisation("四川碳核查中心 Sichuan Carbon Verification Centre", "CN-SC",
                    "12510000MB1KC00057")
PLATFORM = Organisation("四川绿色金融平台 Sichuan Green Finance Platform", "CN-SC",
                        "12510000MB1PF0006U")
BANK = Organisation("成都农村商业银行 Chengdu Rural Commercial Bank", "CN-SC",
                    "91510100MA6BANK00B")
ORGANISATIONS = (COOP, CQ_BATTERY, SD_BATTERY, STEEL, BODY, PLATFORM, BANK)


@dataclass(frozen=True)
class Person:
    username: str
    role: str
    org: Organisation
    display_name: str
    password: str = DEMO_PASSWORD


DATA_VERSION = "MEE-2022"  # the release the demo's labels were issued under
ISSUER_ID = "CN-SC"
ISSUER_NAME = "四川省产品碳足迹平台 Sichuan Product Carbon Footprint Platform"
REVOCATION_REASON = (
    "现场核查发现电芯车间用电记录与电表读数不符，申报数据不实。 An on-site check found that "
    "the cell workshop's electricity records did not match its meter readings: the declared "
    "data were false.")

PEOPLE = (
    Person("orchard", "producer", COOP, "李梅 Li Mei"),
    Person("cqbattery", "producer", CQ_BATTERY, "王强 Wang Qiang"),
    Person("sdbattery", "producer", SD_BATTERY, "张伟 Zhang Wei"),
    Person("steelworks", "producer", STEEL, "刘洋 Liu Yang"),
    Person("verifier", "verifier", BODY, "陈静 Chen Jing"),
    Person("reviewer", "reviewer", PLATFORM, "赵敏 Zhao Min"),
    Person("admin", "admin", PLATFORM, "平台管理员 Platform admin"),
    Person("ruralbank", "bank", BANK, "周婷 Zhou Ting"),
)

# The Chengdu Rural Commercial Bank's terms with the Pujiang co-operative (000 L709-747): the
# rate falls 60 bp when the annual reduction target is met, and Chengdu's zero-carbon coupon
# (零碳券) subsidises interest up to 50,000 yuan, here 50 bp of the principal at most that.
LOAN_PRODUCT = "碳减排挂钩贷 Carbon-linked loan"
LOAN_TERMS = {"base_rate_name": "1年期LPR 1-year LPR", "base_rate_pct": "3.0",
              "base_rate_date": "2025-11-20",
              "rules": [{"kind": "target", "target_pct": 10, "cut_bp": 60},
                        {"kind": "subsidy", "bp": 50, "cap_yuan": 50000}]}
LOAN_PRINCIPAL = "10000000"


def sample(name: str) -> dict:
    """A sample BOM of lca_data/samples as a dict."""
    path = resources.files("lca_data").joinpath("samples", f"{name}.json")
    return json.loads(path.read_text(encoding="utf-8"))


def _made_in(bom: dict, org: Organisation, product_id: str, name: str, name_zh: str) -> dict:
    """A battery sample as made by ``org``: its region (so its grid's electricity factor), and
    a name and facility that say where it is made."""
    bom = copy.deepcopy(bom)
    bom["region"] = org.region
    bom["product"].update(id=product_id, name=name, name_zh=name_zh)
    bom.setdefault("parameters", {})["manufacturing_facility"] = org.name
    return bom


def _current_factors(bom: dict) -> dict:
    """The BOM without a pinned factor year: its electricity follows the platform's release."""
    bom = copy.deepcopy(bom)
    bom.pop("factor_year", None)
    return bom


def _without(bom: dict, parameter: str) -> dict:
    bom = copy.deepcopy(bom)
    del bom["parameters"][parameter]
    return bom


@dataclass
class SeedResult:
    created: bool
    organisations: int = 0
    users: int = 0
    submissions: dict[str, int] = field(default_factory=dict)  # key -> submission id
    labels: dict[str, str] = field(default_factory=dict)  # key -> label id
    key_generated: bool = False  # the issuer key was made by this seeding


def ensure_issuer_key(home) -> bool:
    """Generate the demo platform's issuer key unless its home has one; True if made."""
    if own_entries(home, ISSUER_ID):
        return False
    generate(home, ISSUER_ID, ISSUER_NAME, ISSUER_ID)
    return True


def demo_state(db) -> str:
    """'empty' (nothing to clash with), 'seeded' (the demo's accounts are there) or 'other'."""
    present = store_accounts.usernames_with_organisations(db)
    if not present and not store_accounts.any_organisation(db):
        return "empty"
    if all(present.get(p.username) == p.org.name for p in PEOPLE):
        return "seeded"
    return "other"


def seed(db, engine, home=None) -> SeedResult:
    """Seed the demo into a migrated database, in one transaction; a second call adds
    nothing. Raises Conflict if the database holds accounts that are not the demo's. The
    issuer key lives in ``home`` (default: the engine's FOOTPRINT_HOME)."""
    state = demo_state(db)
    if state == "seeded":
        return SeedResult(created=False)
    if state == "other":
        raise Conflict(Message("this database already has accounts that are not the demo's; "
                               "demo data (with its published passwords) goes only into an "
                               "empty FOOTPRINT_HOME (make demo uses .footprint-home in the "
                               "checkout)"))
    home = Path(home if home is not None else engine.home)
    current = engine  # loans are priced on both years under the current data
    engine = Engine(engine.home, engine.plugin_manager, data_version=DATA_VERSION)
    generated = ensure_issuer_key(home)  # once: before the data, kept if seeding fails
    issuer = Issuer(home, ISSUER_ID)
    with transaction(db):
        users = {p.username: seed_user(db, p.username, p.role, p.org.name, p.password,
                                       p.display_name, p.org.region, engine.registry)
                 for p in PEOPLE}
        for org in ORGANISATIONS:
            if org.credit_code:
                set_credit_code(db, store_accounts.organisation_named(db, org.name)["id"],
                                org.credit_code)
        day = today()
        qualify(db, users["admin"], BODY.name, QUALIFICATION_NUMBER,
                sorted(engine.registry.categories),
                day - timedelta(days=QUALIFIED_SINCE_DAYS),
                day - timedelta(days=QUALIFIED_SINCE_DAYS) + timedelta(days=QUALIFIED_FOR_DAYS),
                engine.registry.categories)
        ids = _submissions(db, engine, users, issuer)
        _production(db, users, ids)
        _loan(db, current, users, issuer)
        labels = {key: label["id"] for key, sid in ids.items()
                  if (label := for_submission(db, sid)) is not None}
    return SeedResult(created=True, organisations=len(ORGANISATIONS), users=len(PEOPLE),
                      submissions=ids, labels=labels, key_generated=generated)


def _submissions(db, engine, u: dict, issuer: Issuer) -> dict[str, int]:
    """Each submission's story, told through the workflow. Final states:
    oranges-farm-gate-2025 issued and then superseded by oranges-farm-gate (the 2026
    season, with less urea), issued after a return and a revision, oranges-packed returned by
    the verifier, cq-lfp issued and then revoked (false electricity records), cq-nmc
    verified, sd-lfp submitted, sd-nmc draft, pzh-steel issued, pzh-v2o5 returned by the
    reviewer, machined-part issued and then superseded by machined-part-2 (issued: the same
    part after the forklifts went electric)."""
    orchard, cq, sd, steel = u["orchard"], u["cqbattery"], u["sdbattery"], u["steelworks"]
    verifier, reviewer = u["verifier"], u["reviewer"]
    body = BODY.name
    ids = {}

    def create(key, user, bom):
        submission, _ = subs.create_submission(db, engine, user, _current_factors(bom),
                                               idempotency_key=f"demo:{key}")
        ids[key] = submission["id"]
        return submission["id"]

    def approve(sid):
        act(db, verifier, sid, "verify", checklist=VERIFY_CHECKLIST)
        act(db, reviewer, sid, "approve", issuer=issuer)

    # Oranges, farm gate, the 2025 season: verified and approved with the urea the
    # co-operative spread before its soil tests (its label is superseded by 2026's).
    farm_gate = _year(sample("oranges_pujiang_farm_gate"), 2026)
    sid = create("oranges-farm-gate-2025", orchard, _more_urea(_year(farm_gate, 2025)))
    act(db, orchard, sid, "submit", verifier_org=body)
    approve(sid)

    # Oranges, farm gate, the 2026 season: first sent without the irrigation electricity,
    # returned by the verifier, revised to the full sample BOM, resubmitted, verified and
    # approved.
    sid = create("oranges-farm-gate", orchard, _without(farm_gate, "irrigation_kwh_per_ha"))
    act(db, orchard, sid, "submit", verifier_org=body)
    review.comment(db, verifier, sid, "灌溉泵站有电表吗? 请补充灌溉用电。 The irrigation pumps "
                 "are metered: please add their electricity.")
    act(db, verifier, sid, "return", reason=(
        "缺少灌溉用电：泵站电表记录约600千瓦时/公顷·年。 Irrigation electricity missing: the "
        "pump meter log shows about 600 kWh per ha and year (irrigation_kwh_per_ha)."))
    subs.revise(db, engine, orchard, sid, _current_factors(farm_gate))
    review.comment(db, orchard, sid, "已按2022年泵站电表记录补充灌溉用电。 Added the irrigation "
                 "electricity from the 2022 pump meter log.")
    act(db, orchard, sid, "submit")  # back to the body that returned it
    approve(sid)

    # Oranges, packed: returned by the verifier, waiting for the co-operative's revision.
    sid = create("oranges-packed", orchard, sample("oranges_pujiang_packed"))
    act(db, orchard, sid, "submit", verifier_org=body)
    review.comment(db, verifier, sid, "0.03千瓦时/千克是实测值还是估算? Is 0.03 kWh per kg "
                 "metered or estimated?", line=1)
    act(db, verifier, sid, "return", reason=(
        "包装线用电缺少电表读数凭证。 Attach the packhouse meter readings for line 1 "
        "(0.03 kWh per kg packed)."))

    # Batteries, Chongqing: the LFP storage pack approved, the NMC EV pack verified.
    sid = create("cq-lfp", cq, _made_in(
        sample("batteries_lfp_pack_sichuan"), CQ_BATTERY, "lfp-pack-280ah-cq",
        "LFP energy-storage pack, 280 Ah cells, made in Chongqing",
        "磷酸铁锂储能电池包（280Ah电芯），重庆制造"))
    act(db, cq, sid, "submit", verifier_org=body)
    approve(sid)
    # ... and its label revoked: the public exposure of false data
    revoke(db, reviewer, for_submission(db, sid)["id"], REVOCATION_REASON)
    sid = create("cq-nmc", cq, _made_in(
        sample("batteries_nmc_ev_pack_fujian"), CQ_BATTERY, "nmc-ev-pack-cq",
        "NMC electric-vehicle pack, made in Chongqing, metered plant energy",
        "三元锂电动汽车电池包，重庆制造（工厂实测能耗）"))
    act(db, cq, sid, "submit", verifier_org=body)
    act(db, verifier, sid, "verify", checklist=VERIFY_CHECKLIST)

    # Batteries, Shandong: the LFP pack submitted, the NMC pack still a draft.
    sid = create("sd-lfp", sd, sample("batteries_lfp_pack_shandong"))
    act(db, sd, sid, "submit", verifier_org=body)
    create("sd-nmc", sd, _made_in(
        sample("batteries_nmc_ev_pack_fujian"), SD_BATTERY, "nmc-ev-pack-sd",
        "NMC electric-vehicle pack, made in Zaozhuang (Shandong), metered plant energy",
        "三元锂电动汽车电池包，山东枣庄制造（工厂实测能耗）"))

    # V-Ti steel, Panzhihua: crude steel approved; V2O5 verified, then returned by the
    # reviewer; a machined part (generic category) approved.
    sid = create("pzh-steel", steel, sample("steel_vanadium_panzhihua_crude_steel"))
    act(db, steel, sid, "submit", verifier_org=body)
    approve(sid)
    sid = create("pzh-v2o5", steel, sample("steel_vanadium_panzhihua_v2o5"))
    act(db, steel, sid, "submit", verifier_org=body)
    act(db, verifier, sid, "verify", checklist=VERIFY_CHECKLIST)
    act(db, reviewer, sid, "return", reason=(
        "五氧化二钒使用的是示意性因子，请提供工厂实测数据。 V2O5 uses indicative factors: "
        "give the plant's own energy and reagent data before approval."))
    part = sample("sichuan_machined_part")
    sid = create("machined-part", steel, part)
    act(db, steel, sid, "submit", verifier_org=body)
    approve(sid)
    # The same part a year on: the forklifts went electric. Its approval issues a new label
    # that supersedes the first one.
    sid = create("machined-part-2", steel, _electric_forklifts(part))
    act(db, steel, sid, "submit", verifier_org=body)
    approve(sid)
    return ids


def _year(bom: dict, year: int) -> dict:
    """The BOM as the footprint of ``year``'s production (the carbon account's year)."""
    bom = copy.deepcopy(bom)
    bom["reference_year"] = year
    return bom


UREA_2025_KG_PER_HA = 400  # before soil testing; the sample (2026) spreads 250


def _more_urea(bom: dict) -> dict:
    """The orchard before its soil tests: 400 kg of urea per ha instead of 250."""
    bom = copy.deepcopy(bom)
    for fertiliser in bom["parameters"]["fertilisers"]:
        if fertiliser["product"] == "urea":
            fertiliser["kg_per_ha"] = UREA_2025_KG_PER_HA
    return bom


# The co-operative's declared production of farm-gate oranges (kg a year), for its account.
ORANGE_PRODUCTION = {2025: 1_500_000, 2026: 1_650_000}


def _production(db, u: dict, ids: dict[str, int]) -> None:
    product = subs.get(db, u["orchard"], ids["oranges-farm-gate"])["product_id"]
    for year, amount in ORANGE_PRODUCTION.items():
        declare_production(db, u["orchard"], product, year, amount)


def _loan(db, engine, u: dict, issuer: Issuer) -> int:
    """The bank's loan product, the co-operative's consent, and one loan of 10,000,000 yuan
    priced on the co-operative's newest year of verified footprints; the decision id."""
    bank, coop = u["ruralbank"]["org_id"], u["orchard"]["org_id"]
    product = loans.create_product(db, bank, LOAN_PRODUCT, actor_id=u["ruralbank"]["id"],
                                   **LOAN_TERMS)
    consents.grant(db, coop, bank, u["orchard"]["id"])
    year = max(f.year for f in footprints(db, coop))
    return loans.price_for(db, engine, issuer, u["ruralbank"], product["id"], coop,
                           LOAN_PRINCIPAL, year)["id"]


def _electric_forklifts(part: dict) -> dict:
    """The machined part with electric forklifts: 1 kg diesel left (the yard tractor) instead
    of 3, and 10 kWh more electricity for charging."""
    part = copy.deepcopy(part)
    for line in part["lines"]:
        if line["input"] == "electricity":
            line.update(amount=line["amount"] + 10,
                        note="CNC and heat treatment, metered; forklift charging 10 kWh")
        elif line["input"] == "diesel":
            line.update(amount=1, note="yard tractor; forklifts are electric now")
    return part


def status_counts(db) -> dict[str, int]:
    """How many submissions are in each state (what the platform's admin sees)."""
    admin = store_accounts.first_admin(db)
    counts: dict[str, int] = {}
    for row in subs.visible(db, admin) if admin else []:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    return counts

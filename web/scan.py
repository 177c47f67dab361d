"""Blueprint: public verification. Anyone, without logging in, may

- fetch the trust list (``/.well-known/footprint/trust-list.json``): this platform's issuer
  keys and the other regions' platforms it recognises (``footprint keys trust add``);
- fetch the current signed checkpoint of the transparency log (``/log/checkpoint``), and the
  log itself as C2SP tlog-tiles (``/log/tile/<L>/<N>[.p/<W>]``, ``/log/tile/entries/<N>``);
- open a label from its QR code (``/L/<B32>``, either case): the signature is checked against
  the trust list and, for this platform's labels, the inclusion proof in the log against the
  current root; the page says plainly what was checked and what the label's status is;
- resolve a GS1 Digital Link (``/01/<GTIN>[/10/<lot>]``): 303 to the scan page of the lot's
  label, else the product's current one; the RFC 9264 link set of its other views (the
  label's JSON, its PACT footprint, a battery's Battery Pass record); ``linkType``;
- read the public list of revoked labels (``/labels/revoked``; the JSON form for offline
  verifiers is the API's ``/api/v1/labels/revoked``).

The checks are footprint.usecases.scanning's (signature, record, inclusion proof, status);
this module only chooses what to show.
"""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote, urlencode

from flask import (Blueprint, Response, current_app, redirect, render_template, request,
                   url_for)
from flask_babel import force_locale
from flask_login import current_user
from flask_login.config import COOKIE_NAME as REMEMBER_COOKIE
from flask_babel import lazy_gettext as _l

from footprint import clock
from footprint.engine.uncertainty import DRAWS
from footprint.gs1 import (GTIN_LENGTHS, VOC, check_digit, check_lot, link_type,
                           normalise_gtin)
from footprint.identifiers import pact_footprint_id
from footprint.labels import LabelInvalid, from_b32, to_b32
from footprint.labels.errors import EXPLAINED
from footprint.labels.keys import published_trust_list
from footprint.translog.log import b64
from footprint.usecases import benchmarks
from footprint.usecases import labels as label_records
from footprint.usecases import transparency
from footprint.usecases.everyday import context as everyday_context
from footprint.usecases import scanning
from footprint.usecases.scanning import Scan

from .db import get_db, get_engine
from .formatting import width_class
from .i18n import select_locale
from .labels import public_base
from .pagecache import PageCache, conditional, respond
from .problems import text
from .vocabulary import VERDICTS, word

bp = Blueprint("scan", __name__)

MAX_B32 = 4096  # characters; a label is a few hundred bytes, a QR at most ~4,300 characters

# States whose figures no longer hold: the whole page says so, not only the banner.
VOID = ("superseded", "revoked", "expired")
TONES = {"valid": "good", "remote": "good", "superseded": "caution", "expired": "caution",
         "revoked": "danger", "unknown-issuer": "danger", "forged": "danger",
         "unrecorded": "danger"}


def _home() -> Path:
    home = current_app.extensions.get("footprint_home_path")
    if home is None:  # made once: a kept scan page is answered in tens of microseconds
        home = current_app.extensions["footprint_home_path"] = Path(
            current_app.config["FOOTPRINT_HOME"])
    return home


# -- the trust list and the checkpoint -------------------------------------------------------

TRUST_LIST_MAX_AGE = 300  # seconds a client or proxy may keep the trust list


def _public(response: Response, max_age: int) -> Response:
    for name, value in public_headers(max_age):
        response.headers[name] = value
    return response


def public_headers(max_age: int) -> list[tuple[str, str]]:
    """What a public answer other verifiers fetch says: how long it may be kept (0: ask
    each time), and that scripts of any origin may read it."""
    return [("Cache-Control", f"public, max-age={max_age}" if max_age else "no-cache"),
            ("Access-Control-Allow-Origin", "*")]


@bp.route("/.well-known/footprint/trust-list.json")
def trust_list():
    body = published_trust_list(_home())
    return _public(conditional(body, "application/json"), TRUST_LIST_MAX_AGE)


@bp.route("/log/checkpoint")
def checkpoint():
    current = transparency.checkpoint(get_db(), _home())  # origin = key name, as the CLI's
    if current.note is None:
        body = ("This platform has no issuer key yet, so it cannot sign a checkpoint of its "
                "transparency log. An administrator runs `footprint keys generate` first.\n"
                f"(unsigned: tree size {current.size}, root {b64(current.root)})\n")
        response = Response(body, status=503, mimetype="text/plain")
        response.headers["Retry-After"] = "3600"
        return _public(response, 0)
    return _public(conditional(current.note, "text/plain"), 0)


@bp.route("/log/tile/<path:path>")
def tile(path: str):
    """The log as C2SP tlog-tiles: a tile or entry bundle never changes once served."""
    body = transparency.tile(get_db(), f"tile/{path}")
    response = Response(body, mimetype="application/octet-stream")
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


# -- the scan page ---------------------------------------------------------------------------

def _benchmark(category_id: str, region: str):
    """(category, region) records of this platform's registry, None where unknown."""
    registry = get_engine().registry
    return registry.categories.get(category_id), registry.regions.get(region)


def _stages(claims: dict) -> list[dict]:
    return [{"stage": stage, "share": share / 1000, "width": width_class(share, 1000)}
            for stage, share in claims["stage_permille"].items()]


def _grade_range(claims: dict, grading) -> dict | None:
    """The grades of the signed range's ends (claim 20, or 19) against the category's bands, per
    one declared unit, when they are not all the signed grade: {"low", "high", "reach": the
    grades from low to high}, else None (as the engine notes it for a result,
    footprint.engine.categories.grade_range)."""
    spread = claims.get("range")
    if not spread or not claims.get("grade") or grading is None:
        return None
    per = float(claims["declared_unit"]["amount"])
    ends = [grading.grade(float(spread[end]) / per) for end in ("low", "high")]
    if ends[0].grade == ends[1].grade == claims["grade"]:
        return None
    grades = [band.grade for band in grading.bands]
    first, last = (grades.index(end.grade) for end in ends)
    return {"low": ends[0].grade, "high": ends[1].grade, "reach": grades[first:last + 1]}


def _issuer_url(scan: Scan, b32: str) -> str | None:
    """Where the issuing platform shows this label with its status: FOOTPRINT_PLATFORM_URLS
    maps issuer ids of recognised platforms to their base URLs (the trust list has no URLs)."""
    if scan.own or scan.issuer is None:
        return None
    base = (current_app.config.get("FOOTPRINT_PLATFORM_URLS") or {}).get(scan.issuer.id)
    return f"{base.rstrip('/')}/L/{b32}" if base else None


def _asked_lot(scan: Scan) -> str | None:
    """The batch/lot a GS1 Digital Link asked for when the resolver shows another label
    (?lot=, set by digital_link): said on the page unless this label covers that lot."""
    asked = request.args.get("lot")
    if not asked or scan.claims is None or asked == scan.lot:
        return None
    try:
        return check_lot(asked)
    except ValueError:
        return None


# A proxy may keep a scan page but asks again each time (a revocation shows at once); the
# answer to asking again is a 304 while the page is unchanged.
SCAN_CACHE_CONTROL = "public, no-cache"


def _pages() -> PageCache:
    return kept_pages(current_app)


def kept_pages(app) -> PageCache:
    """The host's kept scan pages (web.pagecache): the same label, language and lot give the
    same page while the label's basis (footprint.usecases.scanning.basis) is unchanged."""
    pages = app.extensions.get("footprint_pages")
    if pages is None:
        pages = app.extensions["footprint_pages"] = PageCache(
            Path(app.config["FOOTPRINT_HOME"]) / "cache" / "pages.db")
    return pages


def _page_key(b32: str) -> tuple | None:
    """What a scan page is kept under, or None when it is this visitor's own: a logged-in
    visitor's page names them, and a query other than ?lot= is not one a page is kept for."""
    if not _anonymous() or set(request.args) - {"lot"}:
        return None
    return page_key(b32, select_locale(), request.args.get("lot"))


def page_key(b32: str, language: str, lot: str | None) -> tuple:
    """The key of a label's scan page (a label has one base32 text up to case)."""
    return ("scan", b32.upper(), language, lot)


def _anonymous() -> bool:
    """Without a session or remember-me cookie no one is logged in, and flask-login need not
    look (it is a fifth of a kept page's time); with one, it says."""
    if not logged_in_cookies(current_app, request.cookies):
        return True
    return not current_user.is_authenticated


def logged_in_cookies(app, cookies) -> bool:
    """Whether the request carries a session or remember-me cookie (then flask-login says who
    is logged in; without, no one is)."""
    return app.config["SESSION_COOKIE_NAME"] in cookies or \
        app.config.get("REMEMBER_COOKIE_NAME", REMEMBER_COOKIE) in cookies


@bp.route("/L/<b32>")
@bp.route("/l/<b32>", endpoint="label_lowercase")  # for apps that lowercase URLs
def label(b32: str):
    if len(b32) > MAX_B32:
        return _not_found("label")
    moment = clock.now()
    db = get_db()
    key = _page_key(b32)
    if key is not None:
        kept = _pages().get(key)
        if kept is not None and kept.made_on(scanning.still(db, _home(), kept.subject, moment)):
            return respond(kept.page, SCAN_CACHE_CONTROL)
    try:
        cose = from_b32(b32)
        scan = scanning.check(db, _home(), cose, moment)
    except LabelInvalid:  # not a label's code, or one cut short: scan again, not "forged"
        return _not_found("label")
    page = render_template("scan/label.html", **_label_context(db, scan, cose, moment))
    basis = scanning.basis(db, _home(), scan, moment) if key is not None else None
    if basis is None:
        response = Response(page)
        response.headers["Cache-Control"] = "no-cache"  # the status can change at any time
        return response
    return respond(_pages().put(key, scan.record["id"], basis, page, "text/html"),
                   SCAN_CACHE_CONTROL)


def _label_context(db, scan: Scan, cose: bytes, moment) -> dict:
    # a label of a peer flagged inconsistent is genuine, but its platform's word is not
    flagged = scan.peer is not None and scan.peer["state"] == "inconsistent"
    context = {"scan": scan, "status_text": word(VERDICTS, scan.verdict),
               # a label that failed only: a valid one's page, the one kept, says no reason
               "reason_text": text(EXPLAINED[scan.reason]) if scan.reason in EXPLAINED else "",
               "tone": "caution" if flagged and scan.verdict == "remote" else TONES[scan.verdict],
               "void": scan.verdict in VOID,
               "scope_note": text(scan.scopes["note"]) if scan.scopes and scan.scopes["note"]
               else None}
    if scan.claims is not None:
        category, region = _benchmark(scan.claims["category"], scan.claims["region"])
        grading = benchmarks.grading_for(db, scan.record,
                                         category.grading if category is not None else None)
        registry = get_engine().registry
        everyday = everyday_context(registry, scan.claims, grading, moment)
        factor = everyday.electricity and everyday.electricity.factor
        context.update(
            grade_bands=label_records.grade_bands(scan.record) if scan.record else None,
            category=category, region=region, stages=_stages(scan.claims), grading=grading,
            grade_range=_grade_range(scan.claims, grading), draws=DRAWS,
            issuer_url=_issuer_url(scan, to_b32(cose)),
            everyday=everyday,
            # the comparison's factor cited by its dataset's title in the reader's language
            cited={factor.source.dataset: registry.manifest_entry(factor.source.dataset)}
            if factor else {})
    context["asked_lot"] = _asked_lot(scan)
    return context


# -- GS1 Digital Link ------------------------------------------------------------------------
#
# A GS1-Conformant resolver for this platform's GTINs (GS1-Conformant Resolver standard;
# RFC 9264 link sets): /01/<gtin>[/10/<lot>] answers 303 See Other to the default link, the
# scan page of the label (the lot's, else the product's current one), with a Link header
# naming the link set; ?linkType=linkset (or all), or Accept: application/linkset+json,
# answers the link set itself; ?linkType=gs1:<type> (or its full URI) 303 to that link.

LINKSET = "application/linkset+json"
LINKSET_LINK_TYPES = ("linkset", "all")
BATTERY_CATEGORY = "batteries"  # its labels link the Battery Pass carbon-footprint record

LINK_TITLES = {
    "scan": _l("Carbon label: the product's carbon footprint, checked"),
    "label": _l("The signed carbon label, its status and its log entries (JSON)"),
    "pact": _l("The label's footprint as a PACT v3 ProductFootprint (JSON)"),
    "battery": _l("The battery's carbon footprint as a Battery Pass record (JSON)"),
}
LOT_FOUND = _l("Issued for batch/lot %(lot)s")
LOT_MISSING = _l("No label was issued for batch/lot %(lot)s: the product's current label")


def _titles(key: str, resolved) -> dict:
    """title (Chinese, the platform's first language) and title* in both languages
    (RFC 9264 4.2.4.2), with what the lot asked for said after it."""
    said = {}
    for language in ("zh", "en"):
        with force_locale(language):
            words = [str(LINK_TITLES[key])]
            if resolved.lot:
                words.append(str((LOT_FOUND if resolved.lot_found else LOT_MISSING)
                                 % {"lot": resolved.lot}))
            said[language] = ("；" if language == "zh" else "; ").join(words)
    return {"title": said["zh"],
            "title*": [{"value": said[language], "language": language}
                       for language in ("zh", "en")]}


def _digital_link_uri(gtin14: str, lot: str | None) -> str:
    return public_base() + f"/01/{gtin14}" + (f"/10/{quote(lot, safe='')}" if lot else "")


def _scan_href(resolved) -> str:
    """The scan page of the resolved label; when the lot asked for has no label of its own,
    the page is told which lot was asked so that it says it shows another."""
    path = url_for("scan.label", b32=to_b32(bytes(resolved.label["cose"])))
    if resolved.lot and not resolved.lot_found:
        path += "?" + urlencode({"lot": resolved.lot})
    return path


def _links(resolved) -> dict[str, list[dict]]:
    """link relation type (GS1 Web Vocabulary URI) -> its target objects (RFC 9264)."""
    label = resolved.label
    base = public_base()
    page = {"href": base + _scan_href(resolved), "type": "text/html", "hreflang": ["zh", "en"],
            **_titles("scan", resolved)}
    record = {"href": base + url_for("api.labels.get_label", label_id=label["id"]),
              "type": "application/json", **_titles("label", resolved)}
    sustainability = [page, {"href": f"{base}/3/footprints/{pact_footprint_id(label['id'])}",
                             "type": "application/json", **_titles("pact", resolved)}]
    if label_records.claims(label)["category"] == BATTERY_CATEGORY:
        sustainability.append({"href": f"{base}/api/v1/labels/{label['id']}/battery-pass",
                               "type": "application/json", **_titles("battery", resolved)})
    return {VOC + "defaultLink": [page], VOC + "sustainabilityInfo": sustainability,
            VOC + "certificationInfo": [record], VOC + "pip": [page]}


def _linkset(anchor: str, links: dict) -> Response:
    body = json.dumps({"linkset": [{"anchor": anchor, **links}]}, ensure_ascii=False, indent=2)
    response = Response(body + "\n", mimetype=LINKSET)
    response.headers["Vary"] = "Accept"
    return _public(response, 0)


def _see_other(location: str, anchor: str) -> Response:
    response = redirect(location, 303)
    response.headers["Link"] = (f'<{anchor}?linkType=linkset>; rel="linkset"; '
                                f'type="{LINKSET}"')
    response.headers["Vary"] = "Accept"
    response.headers["Access-Control-Expose-Headers"] = "Link"  # scripts of other origins
    return _public(response, 0)


def _wants_linkset() -> bool:
    """Accept names application/linkset+json itself (not through */*), at least as high as
    HTML: a browser's Accept never asks for the link set."""
    accept = request.accept_mimetypes
    named = max((quality for value, quality in accept if value == LINKSET), default=0)
    return named > 0 and named >= accept["text/html"]


@bp.route("/01/<gtin>")
@bp.route("/01/<gtin>/10/<path:lot>")  # path: a lot may hold "/" (sent as %2F)
def digital_link(gtin: str, lot: str | None = None):
    try:
        gtin14 = normalise_gtin(gtin)
    except ValueError:
        well_formed = gtin.isascii() and gtin.isdigit() and len(gtin) in GTIN_LENGTHS
        return _not_found("gtin", gtin=gtin,
                          expected=check_digit(gtin[:-1]) if well_formed else None,
                          actual=gtin[-1] if well_formed else None)
    if lot is not None:
        try:
            check_lot(lot)
        except ValueError as exc:
            page = render_template("scan/not_found.html", kind="lot", gtin=gtin14, lot=lot,
                                   problem=text(exc.args[0]))
            return page, 400
    resolved = label_records.resolve_gtin(get_db(), gtin14, lot)
    if resolved is None:
        return _not_found("no-label", gtin=gtin14)
    anchor = _digital_link_uri(gtin14, lot)
    links = _links(resolved)
    asked = (request.args.get("linkType") or "").strip()
    if asked in LINKSET_LINK_TYPES or (not asked and _wants_linkset()):
        return _linkset(anchor, links)
    targets = links.get(link_type(asked) or "", links[VOC + "defaultLink"])
    best = request.accept_mimetypes.best_match([target["type"] for target in targets])
    target = next((t for t in targets if t["type"] == best), targets[0])
    return _see_other(target["href"], anchor)


@bp.route("/.well-known/gs1resolver")
def resolver_description():
    """The resolver description file a GS1-Conformant resolver publishes (GS1-Conformant
    Resolver standard 1.2.0, its description-file schema): its root, the keys and link types
    it resolves. A link set is served when asked for, never as the default link."""
    body = {"name": "footprint carbon label resolver (碳标签解析服务)",
            "resolverRoot": public_base(), "supportedPrimaryKeys": ["01"],
            "supportedLinkType": [{"namespace": VOC, "prefix": "gs1:"}],
            "linkTypeDefaultCanBeLinkset": False}
    response = Response(json.dumps(body, ensure_ascii=False), mimetype="application/json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _not_found(kind: str, **context):
    return render_template("scan/not_found.html", kind=kind, **context), 404


# -- the public list of revoked labels -------------------------------------------------------

@bp.route("/labels/revoked")
def revoked():
    rows = [dict(row, url=url_for("scan.label", b32=to_b32(bytes(row["cose"]))))
            for row in label_records.revoked(get_db())]
    return render_template("scan/revoked.html", rows=rows)


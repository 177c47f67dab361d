"""Which of a product's labels was valid on a day: what a loan decision names as the label it
priced on (docs/carbon-accounts.md, docs/loans.md)."""
from __future__ import annotations

from datetime import date, datetime, time, timezone

from ..errors import InvalidInput, Message, Problem
from ..store import carbonaccounts as stored
from . import labels as label_states


def _day(text: str) -> date:
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        raise InvalidInput([Problem("day", Message(
            "a day is written YYYY-MM-DD, e.g. 2026-03-01"))]) from None


def valid_label_on(db, org_id: int, product_id: int, day: str) -> str | None:
    """The id of the product's label that was valid at the end of ``day`` (UTC, YYYY-MM-DD):
    issued by then, and by then neither expired, revoked nor superseded (as the transparency
    log says); the newest such when several lots each have one; None if none was, or the
    product is not the organisation's."""
    end = datetime.combine(_day(day), time(23, 59, 59), tzinfo=timezone.utc)
    product = stored.product(db, product_id)
    if product is None or product["org_id"] != org_id:
        return None
    labels = label_states.of_product(db, product_id)
    issued = {label["id"]: datetime.fromisoformat(label["issued_at"]) for label in labels}
    for label in sorted(labels, key=lambda label: label["issued_at"], reverse=True):
        if issued[label["id"]] > end:
            continue
        ended = [datetime.fromisoformat(label["expires_at"])]
        if label["revoked_at"]:
            ended.append(datetime.fromisoformat(label["revoked_at"]))
        if label["superseded_by"] in issued:
            ended.append(issued[label["superseded_by"]])
        if min(ended) > end:
            return label["id"]
    return None

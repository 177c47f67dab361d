"""Identifiers of organisations that a label signs: the unified social credit code
(统一社会信用代码, GB 32100-2015), checked by python-stdnum; and the id a label's footprint has
for buyers' systems (PACT v3 ProductFootprint.id)."""
from __future__ import annotations

import uuid

from stdnum.cn import uscc
from stdnum.exceptions import (InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength,
                               ValidationError)

from .errors import Message

# python-stdnum's reasons, as its messages say them (lower case, no full stop)
REASONS = {
    InvalidChecksum: Message("the number's checksum or check digit is invalid"),
    InvalidFormat: Message("the number has an invalid format"),
    InvalidLength: Message("the number has an invalid length"),
    InvalidComponent: Message("one of the parts of the number are invalid or unknown"),
}


def credit_code(value: str) -> str:
    """A unified social credit code, compacted and checked, or ValueError with the reason:
    18 characters of digits and capitals (without I, O, S, V, Z), the last a check
    character."""
    try:
        return uscc.validate(value)
    except ValidationError as exc:
        reason = REASONS.get(type(exc)) or exc.message.lower().rstrip(".")
        raise ValueError(Message("%(value)s is not a unified social credit code: %(reason)s",
                                 value=repr(value), reason=reason)) from None


# The namespace of the PACT ids of this project's labels: a label's footprint has one id
# wherever it is served from, so a buyer's system can hold it and ask for it again.
PACT_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:footprint:label")


def pact_footprint_id(label_id: str) -> str:
    """The PACT v3 ProductFootprint id (a UUID) of the label ``label_id``."""
    return str(uuid.uuid5(PACT_NAMESPACE, label_id))

"""Identifiers of organisations that a label signs: the unified social credit code
(统一社会信用代码, GB 32100-2015), checked by python-stdnum."""
from __future__ import annotations

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

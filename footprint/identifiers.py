"""Identifiers of organisations that a label signs: the unified social credit code
(统一社会信用代码, GB 32100-2015), checked by python-stdnum."""
from __future__ import annotations

from stdnum.cn import uscc
from stdnum.exceptions import ValidationError


def credit_code(value: str) -> str:
    """A unified social credit code, compacted and checked, or ValueError with the reason:
    18 characters of digits and capitals (without I, O, S, V, Z), the last a check
    character."""
    try:
        return uscc.validate(value)
    except ValidationError as exc:
        reason = exc.message.lower().rstrip(".")
        raise ValueError(f"{value!r} is not a unified social credit code: {reason}") from None

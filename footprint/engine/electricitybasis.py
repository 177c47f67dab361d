"""Which electricity basis a result's lines used, against the platform's default.

The platform chooses the default basis (footprint.settings.electricity_basis); a BOM may
choose another for all its electricity, and a line for itself. A reader comparing two labels
must know when one of them left the default, so the result says the basis of every
electricity line and notes each basis other than the platform's.
"""
from __future__ import annotations

from ..errors import Message, Word
from ..settings import electricity_basis


def basis_fields(resolved, by_input: list, notes: list) -> dict:
    """Mark each electricity line of ``by_input`` (in the order of ``resolved.lines``) with
    its basis, add a note per basis other than the platform's, and return the result's
    ``electricity_basis``: the platform's default and the BOM's choice."""
    default = electricity_basis()
    other: dict[str, list[str]] = {}
    for rl, entry in zip(resolved.lines, by_input):
        if rl.factor is None:
            continue
        entry["electricity_basis"] = rl.factor.basis
        if rl.factor.basis != default:
            other.setdefault(rl.factor.basis, []).append(str(rl.line.index + 1))
    for basis, lines in other.items():
        notes.append(Message("electricity on the %(basis)s basis (line %(lines)s), not the "
                             "platform's default %(default)s basis", basis=Word("basis", basis),
                             lines=", ".join(lines), default=Word("basis", default)))
    return {"electricity_basis": {"platform_default": default,
                                  "bom": resolved.bom.electricity_basis}}

"""The transparency log's proofs in the JSON API: an inclusion proof (of a label, of a loan
decision) and a consistency proof between two tree sizes, with the queries that ask for them."""
from __future__ import annotations

from marshmallow import fields, validate

from footprint.schemafields import StrictSchema

from .base import MAX_INTEGER, _Response


def _size(**kwargs):
    return validate.Range(min=1, max=MAX_INTEGER, **kwargs)


class ProofQuerySchema(StrictSchema):
    tree_size = fields.Integer(validate=_size(), metadata={
        "description": "Prove inclusion in the tree of this many leaves (a checkpoint's "
                       "size, more than the label's leaf index and at most the log's size); "
                       "default: the whole log now."})


class ConsistencyQuerySchema(StrictSchema):
    from_ = fields.Integer(data_key="from", required=True, validate=_size(),
                           metadata={"description": "The older tree size (at least 1)."})
    to = fields.Integer(validate=_size(), metadata={
        "description": "The newer tree size (from <= to <= the log's size); default: the "
                       "log's size now."})


class InclusionProofSchema(_Response):
    leaf_index = fields.Integer(required=True)
    tree_size = fields.Integer(required=True)
    leaf_hash = fields.String(required=True, metadata={"description": "base64"})
    root = fields.String(required=True, metadata={"description": "base64"})
    proof = fields.List(fields.String(), required=True, metadata={
        "description": "base64 hashes, from the leaf up (RFC 9162 2.1.3)."})


class ConsistencyProofSchema(_Response):
    old_size = fields.Integer(required=True)
    new_size = fields.Integer(required=True)
    old_root = fields.String(required=True, metadata={"description": "base64"})
    new_root = fields.String(required=True, metadata={"description": "base64"})
    proof = fields.List(fields.String(), required=True, metadata={
        "description": "base64 hashes (RFC 9162 2.1.4)."})

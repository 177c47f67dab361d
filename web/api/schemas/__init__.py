"""The JSON API's marshmallow schemas: what requests may carry and what responses hold, a
module for each resource. The OpenAPI document (web/api/openapi.py) is generated from them,
so their field names are the API's contract: add fields, never rename them.

    base.py           _Response, which every response schema derives from (requests derive
                      from footprint.schemafields.StrictSchema); MAX_INTEGER, OrgRefSchema
    errors.py         the Error body of every 4xx and 5xx answer, its problems located
    submissions.py    the workflow's requests, the list's query, a submission and its parts
    referencedata.py  regions, categories and emission factors, and the factors' query
    labels.py         a label, revoking one, and the list of revoked labels
    proofs.py         the transparency log's inclusion and consistency proofs
    batterypass.py    the Battery Pass record of a battery label
    findings.py       the public findings of credit supervision
    accounts.py       enterprise carbon accounts and their like-for-like reductions
    loans.py          consents, borrowers, loan products, and loans priced with their proofs

The BOM itself is footprint.bom.BomSchema; the strict fields the core's schemas share are
footprint.schemafields'.
"""

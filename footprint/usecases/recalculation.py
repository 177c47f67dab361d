"""Recalculating stored footprints when factor data changes, and re-issuing the labels that
moved (footprint.recalc does the batch work; this adds the labels).

    summary = recalculate(db, Options(to_version="MEE-2023", reissue=True), home,
                          issuer=Issuer(home))
"""
from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np

from ..bom import parse_bom
from ..errors import InvalidInput
from ..recalc import report
from ..recalc.chunk import CHANGED, Scored
from ..recalc.runner import Options, Run
from ..recalc.runner import recalculate as run_recalculation
from ..recalc.summary import Summary
from ..recalc.keyed import keep, keyed_bom
from ..store import footprints as store_footprints
from ..store import submissions as store_submissions
from ..store.db import transaction
from ..store.recalc_runs import Selection
from .issuing import Issuer, reissue
from .labels import current_for_submission
from .submissions import record_result
from .supplier import LabelInputs, label_inputs, record_label_inputs, superseded_inputs

__all__ = ["Options", "Selection", "follow_supersessions", "recalculate", "reissue_changed",
           "write_report"]

write_report = report.write
check_report_path = report.check_path


def recalculate(db, options: Options, home, plugin_manager=None, issuer: Issuer | None = None,
                progress: Callable[[int, int], None] | None = None) -> Summary:
    """Move the selected footprints to ``options.to_version`` chunk by chunk (resuming an
    interrupted run of the same command); with ``options.reissue``, every changed product
    with a current label gets a new label signed by ``issuer``, superseding the old one."""
    return run_recalculation(db, options, home, plugin_manager,
                             reissue=partial(reissue_changed, issuer=issuer), progress=progress)


def reissue_changed(db, scored: Scored, run: Run, issuer: Issuer | None) -> list[tuple[str, int]]:
    """Inside a chunk's transaction: a new full result and a new label for every changed
    product that carries a current label; (new label id, submission id) pairs."""
    out = []
    for i in np.flatnonzero(scored.status == CHANGED).tolist():
        label = current_for_submission(db, int(scored.page.ids[i]))  # as the log says
        if label is None:
            continue
        if issuer is None:
            raise ValueError("re-issuing labels needs the platform's label issuer")
        submission = store_submissions.get(db, label["submission_id"])
        bom = parse_bom(submission["bom"])
        resolved = run.target.resolve(bom, store_submissions.StoredProducts(
            db, submission["org_id"]))
        result = run.target.calculate_resolved(resolved)
        record_result(db, submission["id"], submission["revision"], result, bom.region)
        new = reissue(db, issuer, label, result,
                      f"recalculated under {result['data_version_name']}")
        run.summary.reissued += 1
        out.append((new["id"], submission["id"]))
    return out


def follow_supersessions(db, engine, home, issuer: Issuer | None = None) -> list[dict]:
    """Move every footprint whose BOM uses a supplier's label of this platform that has since
    been superseded to the current label of that product (the end of the chain the log
    records): the BOM is resolved again with the successor standing in (the result's line
    names both, and its notes say so), the result becomes the current footprint with its
    kept rows and label inputs, and with ``issuer`` the buyer's own current label is
    re-issued. One transaction per submission; returns what moved (submission, labels
    replaced, before and after), or why it could not (``error``: the successor is revoked,
    say; that footprint is left as it was)."""
    moved = []
    for submission_id, old_labels in superseded_inputs(db).items():
        submission = store_submissions.get(db, submission_id)
        before = (store_footprints.current_footprint(db, submission_id) or {}) \
            .get("total_kg_co2e")
        bom = parse_bom(submission["bom"])
        try:
            resolved = engine.resolve(bom, store_submissions.StoredProducts(
                db, submission["org_id"]), LabelInputs(db, home, follow_supersessions=True,
                                                       org_id=submission["org_id"]))
        except InvalidInput as exc:  # e.g. the successor is revoked: left as it was, said
            moved.append({"submission": submission_id, "replaced": old_labels,
                          "error": "; ".join(f"{p.where}: {p.message}" for p in exc.problems)})
            continue
        result = engine.calculate_resolved(resolved)
        used = label_inputs(resolved)
        with transaction(db):
            record_result(db, submission_id, submission["revision"], result, bom.region)
            store_footprints.record_data_version(db, engine.registry.data_version_record())
            keep(db, [(submission_id, submission["revision"],
                       engine.registry.resolution_fingerprint,
                       keyed_bom(resolved, result, engine.registry))])
            record_label_inputs(db, submission_id, submission["revision"], used)
            label = current_for_submission(db, submission_id)
            reissued = None
            if issuer is not None and label is not None:
                reissued = reissue(db, issuer, label, result,
                                   "a supplier's label it uses was superseded")["id"]
        moved.append({"submission": submission_id, "replaced": old_labels,
                      "now": sorted({label_id for _, label_id, _, _ in used}),
                      "before": before, "after": result["total_kg_co2e"],
                      "reissued": reissued})
    return moved

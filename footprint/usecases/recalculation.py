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
from ..recalc import report
from ..recalc.chunk import CHANGED, Scored
from ..recalc.runner import Options, Run
from ..recalc.runner import recalculate as run_recalculation
from ..recalc.summary import Summary
from ..store import submissions as store_submissions
from ..store.recalc_runs import Selection
from .issuing import Issuer, reissue
from .labels import current_for_submission
from .submissions import record_result

__all__ = ["Options", "Selection", "recalculate", "reissue_changed", "write_report"]

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

"""Batch recalculation of stored footprints when factor data changes.

``keyed``: a product's rows with stable keys, reusable under another data version;
``runner``: the chunked, resumable run; ``chunk``: scoring one chunk; ``writer``: committing
chunks in order, in a thread of their own; ``summary`` and ``report``: what it did.
"""

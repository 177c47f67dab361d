"""Shipped datasets. Every file is listed, with its source and content hash, in manifest.json."""

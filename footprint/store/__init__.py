"""State of the service in SQLite (sqlite-utils): connection, migrations, accounts, submissions.

Every multi-row change runs in ``transaction(db)``; every value is a bound parameter; table
and column names come only from this package's code.
"""
from .db import connect, database_path, transaction

__all__ = ["connect", "database_path", "transaction"]

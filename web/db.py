"""One database connection per request, and the engine shared by the whole app."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, g

from footprint.engine import Engine
from footprint.usecases.database import connect, database_path, pending


class DatabaseBehind(RuntimeError):
    pass


def get_db():
    if "db" not in g:
        g.db = connect(database_path(Path(current_app.config["FOOTPRINT_HOME"])))
    return g.db


def get_engine() -> Engine:
    engine = current_app.extensions.get("footprint_engine")
    if engine is None:
        engine = Engine(home=Path(current_app.config["FOOTPRINT_HOME"]))
        current_app.extensions["footprint_engine"] = engine
    return engine


def close_db(exception=None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()


def init_app(app: Flask) -> None:
    app.teardown_appcontext(close_db)
    with app.app_context():
        db = get_db()
        behind = pending(db)
        if behind:
            raise DatabaseBehind(
                f"the database in {app.config['FOOTPRINT_HOME']} needs migrations "
                f"{[v for v, _ in behind]}: run `footprint db migrate`")

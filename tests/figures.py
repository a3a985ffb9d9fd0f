"""Figures a test measured (request and status counts), printed and kept in a file for the release notes."""

import json
import os
import tempfile


def keep_figures(name: str, app, figures: dict) -> str:
    """Print the figures and write them to `$FIGURES_DIR` (the system's temporary directory by default) as
    `<name>-<database>.json`; answer the file's path."""
    database = app.config["SQLALCHEMY_DATABASE_URI"].split(":", 1)[0].split("+", 1)[0]
    path = os.path.join(
        os.environ.get("FIGURES_DIR", tempfile.gettempdir()), f"outreach-{name}-{database}.json"
    )
    with open(path, "w", encoding="utf-8") as out:
        json.dump({"database": database, **figures}, out, indent=1, sort_keys=True)
    print(f"\n{name} on {database}: {json.dumps(figures, sort_keys=True)}")
    return path

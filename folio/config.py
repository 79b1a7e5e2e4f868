"""Configuration that needs work beyond a mapping: paths and the secret key."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask


def resolve_paths(app: Flask) -> None:
    """Turn path settings (strings from the environment) into absolute Paths."""
    instance = Path(app.instance_path)
    for key, default in (("COMMENTS_DIR", "comments"), ("CACHE_DIR", "cache")):
        if not app.config.get(key):
            app.config[key] = instance / default
    for key in ("CONTENT_DIR", "SEARCH_INDEX_DIR", "COMMENTS_DIR", "CACHE_DIR"):
        app.config[key] = Path(app.config[key]).expanduser().resolve()
    # Environment values arrive as JSON when they can: FLASK_SHOW_DRAFTS=true is a bool.
    app.config["POSTS_PER_PAGE"] = max(1, int(app.config["POSTS_PER_PAGE"]))


def ensure_secret_key(app: Flask) -> None:
    """Use the configured key, else one generated once into the instance folder."""
    if app.config.get("SECRET_KEY"):
        return
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".secret_key.{os.getpid()}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
        # Several workers may start at once: the first key to land is everyone's key.
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    app.config["SECRET_KEY"] = path.read_text().strip()

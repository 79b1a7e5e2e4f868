"""The Flask application factory: configuration, then one call per concern."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from flask import Flask
from jinja2 import FileSystemBytecodeCache

from folio import cli
from folio.config import ensure_secret_key, resolve_paths
from folio.content.store import ContentStore
from folio.replies.ratelimit import Limit, RateLimiter
from folio.replies.store import ReplyStore
from folio.search.index import IndexFolder
from folio.search.service import SiteSearch
from folio.web import errors, views

ROOT = Path(__file__).resolve().parent

DEFAULTS: dict[str, object] = {
    "CONTENT_DIR": ROOT / "content",
    "SEARCH_INDEX_DIR": ROOT / "search_index",
    "COMMENTS_DIR": None,  # inside the instance folder unless set
    "CACHE_DIR": None,  # parsed-content snapshot; inside the instance folder unless set
    "POSTS_PER_PAGE": 8,
    "SHOW_DRAFTS": False,
    "CONTENT_RELOAD_INTERVAL": 1.0,  # seconds between looks at content/ for changes
    "CONTENT_WATCH": True,  # look from a background thread, never in a request
    "SEARCH_BACKGROUND": True,  # build a missing index in a thread, not in the request
    "MAX_CONTENT_LENGTH": 256 * 1024,  # a reply's 65,525 characters fit with room to spare
    "COMMENTS_CLOSE_AFTER_DAYS": None,  # e.g. 90 to close the reply form on older posts
    "COMMENT_RATE_GAP": 15.0,  # seconds between two replies from one address
    "COMMENT_RATE_PER_HOUR": 6,
}


def create_app(test_config: Mapping[str, object] | None = None) -> Flask:
    """Create the site; `test_config` replaces the instance and environment config."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(DEFAULTS)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env()
    else:
        app.config.from_mapping(test_config)
    resolve_paths(app)
    ensure_secret_key(app)
    register_extensions(app)
    # Compiled templates are kept next to the content snapshot: a new worker skips compiling.
    compiled = Path(app.config["CACHE_DIR"]) / "templates"
    compiled.mkdir(parents=True, exist_ok=True)
    app.jinja_env.bytecode_cache = FileSystemBytecodeCache(str(compiled))
    app.register_blueprint(views.bp)
    errors.register(app)
    cli.register(app)
    return app


def warm(app: Flask) -> None:
    """Load the content and open the search index now, not in a visitor's request.

    gunicorn.conf.py calls this in each worker before it accepts connections.
    """
    catalogue = app.extensions["folio.content"].catalogue()
    app.extensions["folio.search"].prepare(catalogue)
    for name in app.jinja_env.list_templates(extensions=["html"]):
        app.jinja_env.get_template(name)  # compiled once, from the cache in CACHE_DIR


def register_extensions(app: Flask) -> None:
    """Attach the content store, the search index that follows it, and the replies."""
    store = ContentStore.from_config(app.config)
    search = SiteSearch(
        IndexFolder(app.config["SEARCH_INDEX_DIR"]),
        background=bool(app.config["SEARCH_BACKGROUND"]),
    )
    store.listeners.append(search.sync)
    app.extensions["folio.content"] = store
    app.extensions["folio.search"] = search
    replies = app.config["COMMENTS_DIR"]
    app.extensions["folio.replies"] = ReplyStore(replies)
    app.extensions["folio.ratelimit"] = RateLimiter(
        replies / ".ratelimit",
        app.config["SECRET_KEY"].encode(),
        Limit(float(app.config["COMMENT_RATE_GAP"]), int(app.config["COMMENT_RATE_PER_HOUR"])),
    )

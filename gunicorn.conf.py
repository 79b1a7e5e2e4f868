"""gunicorn settings read from the project folder: `gunicorn -w 4 'app:create_app()'`."""

from typing import Any


def post_worker_init(worker: Any) -> None:
    """Each worker loads the content and opens the index before it takes a request."""
    # Imported in the worker, not the arbiter, so a HUP reload picks up new code.
    from app import warm

    warm(worker.wsgi)

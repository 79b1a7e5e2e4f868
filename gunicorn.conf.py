"""gunicorn settings read from the project folder: `gunicorn -w 4 'app:create_app()'`."""

from typing import Any


def post_worker_init(worker: Any) -> None:
    """Each worker starts the site (one of them publishes) before it takes a request."""
    # Imported in the worker, not the arbiter, so a HUP reload picks up new code.
    from app import warm

    warm(worker.wsgi)


def worker_exit(server: Any, worker: Any) -> None:
    """A worker's threads and render processes stop with it; its role passes on."""
    from app import stop

    stop(worker.wsgi)

from collections.abc import Callable
from flask import Flask
from werkzeug.exceptions import ServiceUnavailable
def test_x(make_app: Callable[..., Flask]) -> None:
    app = make_app()
    @app.get("/unavailable/")
    def u() -> str:
        raise ServiceUnavailable("x", retry_after=2)
    client = app.test_client()
    r = client.get("/unavailable/")
    print("503 headers", r.status_code, dict(r.headers))
    r = client.post("/")
    print("405 headers", r.status_code, dict(r.headers))
    assert 0

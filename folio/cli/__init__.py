"""The `flask` commands for site owners, by area."""

from __future__ import annotations

from flask import Flask

from folio.cli import content, index, replies


def register(app: Flask) -> None:
    """Add the content, index and reply commands to `flask`."""
    app.cli.add_command(content.check)
    app.cli.add_command(content.new)
    app.cli.add_command(index.index)
    app.cli.add_command(replies.comments)

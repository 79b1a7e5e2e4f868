"""Folio: a content site served by Flask from Markdown files with front matter."""

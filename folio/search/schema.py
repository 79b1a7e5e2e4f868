"""What the index holds of an entry: the schema and one entry's document."""

from __future__ import annotations

from datetime import UTC, datetime

from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema

from folio.content.entries import Page, Post
from folio.search.analysis import WordsAnalyzer, ranked_analyzer
from folio.search.engine import ArrayPositions, QuickFrequency

_EPOCH = datetime(1970, 1, 1)
#: Part of every generation's name; a generation of another version is rebuilt.
SCHEMA_VERSION = 10
#: A word: Whoosh's default pattern without the `*` it keeps for wildcard syntax.
WORD = r"\w+(\.?\w+)*"


def make_schema() -> Schema:
    """The ranked fields hold plain word counts: how much each field weighs is the
    ranking's business (ranking.py), so it can be tuned without a rebuild.

    The ranked fields keep no word positions, which makes their posting lists a third
    of the size and quick to read in bulk; phrases are matched on the unstemmed words
    field, the one field with positions (it also gives "did you mean" its vocabulary).
    """
    stem = ranked_analyzer()
    schema = Schema(
        # url and version are also columns: syncing reads every document's, and
        # columns read ten times faster than stored fields.
        url=ID(stored=True, unique=True, sortable=True),
        kind=ID(stored=True),
        version=ID(stored=True, sortable=True),
        title=TEXT(stored=True, analyzer=stem, phrase=False),
        tags=KEYWORD(stored=True, commas=True, scorable=True, field_boost=2.0),
        tagtext=TEXT(analyzer=stem, phrase=False),
        # Only a summary the author wrote: one taken from the opening paragraph would
        # count the body's first words twice.
        summary=TEXT(analyzer=stem, phrase=False, stored=True),
        body=TEXT(analyzer=stem, phrase=False),
        # Every word as written (lower-cased, stop words kept), with positions.
        spelling=TEXT(analyzer=WordsAnalyzer(WORD)),
        date=DATETIME(stored=True, sortable=True),
        # What results show without going back to the content: tag names, the text and
        # its sections as (anchor, heading, where it starts in the text).
        tagnames=STORED(),
        text=STORED(),
        sections=STORED(),
    )
    # Our formats (engine.py): the same postings, indexed through the analyzers' quick
    # paths; the words' positions as arrays, which phrases decode without pickles.
    for name in ("title", "tagtext", "summary", "body"):
        schema[name].format = QuickFrequency()
    schema["spelling"].format = ArrayPositions()
    return schema


def index_version(entry: Page) -> str:
    """The file's version and the moment the index stores for it: a new timezone in
    site.yml moves every date without changing any file, and the index must follow."""
    when = entry.date if isinstance(entry, Post) else entry.updated
    return f"{entry.version}@{int(when.timestamp())}" if when else entry.version


def document(entry: Page, text: str) -> dict[str, object]:
    """The fields one content entry (with its body's plain text) contributes to the index."""
    tags = entry.tags if isinstance(entry, Post) else ()
    when = entry.date if isinstance(entry, Post) else entry.updated
    names = " ".join(tag.name for tag in tags)
    return {
        "url": entry.url,
        "kind": entry.kind,
        "version": index_version(entry),
        "title": entry.title,
        "tags": ",".join(tag.slug for tag in tags),
        "tagtext": names,
        "summary": "" if _from_body(entry.summary or "", text) else entry.summary or "",
        "_stored_summary": entry.summary or "",  # shown when no passage matches
        "tagnames": [tag.name for tag in tags],
        "body": text,
        "text": str(text),
        "sections": [[s.anchor, s.heading, s.start] for s in getattr(text, "sections", ())],
        "spelling": f"{entry.title}\n{names}\n{text}",
        "date": when.astimezone(UTC).replace(tzinfo=None) if when else _EPOCH,
    }


def _from_body(summary: str, text: str) -> bool:
    """Whether the summary is the body's own opening words (no summary was written)."""
    opening = " ".join(summary.removesuffix("…").split())
    return not opening or opening in " ".join(text[: len(opening) * 2 + 200].split())

"""How text becomes index terms: compounds split into their parts, questions into topics."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from typing import Any, cast

import Stemmer
from whoosh.analysis import (
    STOP_WORDS,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
    Token,
)
from whoosh.analysis.analyzers import CompositeAnalyzer

#: A word for the ranked fields: letters and digits, joined by dots or hyphens
#: (`os.path`, `node.js`, `well-known`), so a compound is one token before it is split.
COMPOUND_WORD = r"\w+(?:[.\-]\w+)*"
#: Where a compound splits: dots, hyphens and underscores, then each piece where its
#: case changes (`CheckAvailability`, `HTMLParser`); digits stay with letters (`utf8`).
_JOINERS = re.compile(r"[.\-_]+")
_CASE_CHANGE = re.compile(r"(?<=[a-zß-ÿ])(?=[A-ZÀ-Þ])|(?<=[A-ZÀ-Þ])(?=[A-ZÀ-Þ][a-zß-ÿ])")
#: Words that shape a question or a sentence but say nothing of its topic ("what does
#: it take to...", "is there any..."): a query leaves them out. The index keeps them
#: (only Whoosh's short list is dropped there), so a query of nothing else still works.
_QUESTION_TEXT = """
a about above after again against all also am an and any anybody anyone anything are
aren't as at be because been before being below between both but by can cannot could
couldn't did didn't do does doesn't doing don't down during each either else etc
ever every few for from further get gets getting got had hadn't has hasn't have
haven't having he her here hers herself him himself his how however i if in into is
isn't it it's its itself just let's like may me might more most must mustn't my
myself neither no nor not of off on once only or other ought our ours ourselves out
over own per please same shall she should shouldn't so some somebody someone
something such than that that's the their theirs them themselves then there there's
these they this those through thus to too under until up upon us very was wasn't we
were weren't what what's whatever when where whereas whether which while who whom
whose why will with within without won't would wouldn't yet you your yours yourself
aren couldn didn doesn don hadn hasn haven isn mustn shouldn wasn weren won wouldn
yourselves
"""
QUESTION_WORDS = frozenset(_QUESTION_TEXT.split())
#: A Snowball stemmer per thread (PyStemmer's are not safe to share between threads).
_STEMMERS = threading.local()


def porter_stem(word: str) -> str:
    """Porter's stem of a word, as Snowball's C implementation gives it.

    Whoosh's own `stem` never undoubles a final consonant (its step 1b matches from the
    word's start), so "sitting", "running" and "planning" became "sitt", "runn" and
    "plann", and a search for "sit", "run" or "plan" did not find them. Words of one or
    two letters are kept whole, as Whoosh keeps them ("os", not "o").
    """
    if len(word) < 3:
        return word
    stemmer = getattr(_STEMMERS, "porter", None)
    if stemmer is None:
        stemmer = _STEMMERS.porter = Stemmer.Stemmer("porter")
    found: str = stemmer.stemWord(word)
    return found


class CompoundFilter(Filter):
    """Each compound as a whole and as its parts, so either finds it (the whole ranks
    first: it matches every term of a query that names it)."""

    # Whoosh's own filters narrow Composable's signature in the same way.
    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:  # type: ignore[override]
        for token in tokens:
            whole = token.text
            yield token
            # Tokens are reused by the chain: each is consumed before the next.
            for piece in _pieces(whole):
                token.text = piece
                yield token


def _pieces(whole: str) -> list[str]:
    """The parts of a compound, each camel-cased part whole and split again
    (`Material.CheckAvailability`: Material, CheckAvailability, Check, Availability)."""
    pieces: list[str] = []
    parts = [part for part in _JOINERS.split(whole) if part]
    for part in parts if len(parts) > 1 else ():
        pieces.append(part)
    for part in parts:
        words = [word for word in _CASE_CHANGE.split(part) if word]
        pieces += words if len(words) > 1 else ()
    return list(dict.fromkeys(pieces))


class RankedAnalyzer(CompositeAnalyzer):
    """The ranked fields' chain: compounds split, lower case, stop words out, stems.

    `terms` is the same chain for indexing, without a Token object or a generator per
    filter per word: a build spends most of its analysis there (engine.py's formats
    call it). A test holds it to the chain's output.
    """

    def __init__(self, stoplist: frozenset[str] = STOP_WORDS) -> None:
        super().__init__(
            RegexTokenizer(COMPOUND_WORD),
            CompoundFilter(),
            LowercaseFilter(),
            StopFilter(stoplist=stoplist, minsize=2),
            StemFilter(stemfn=porter_stem, cachesize=50000),
        )

    def terms(self, text: str) -> list[str]:
        """The terms the chain gives for the text, in order."""
        stop: Any = self.items[3]  # the chain's own StopFilter and StemFilter
        stops, shortest, longest = stop.stops, stop.min, stop.max
        stem = cast(Any, self.items[4])._stem  # the stemmer behind the filter's cache
        found: list[str] = []
        for whole in _COMPOUND_WORD.findall(text):
            pieces = _PIECES.get(whole)
            if pieces is None:
                if len(_PIECES) > _CACHED:
                    _PIECES.clear()
                pieces = _PIECES[whole] = (whole, *_pieces(whole))
            for piece in pieces:
                word = piece.lower()
                if (
                    len(word) >= shortest
                    and (longest is None or len(word) <= longest)
                    and word not in stops
                ):
                    found.append(stem(word))
        return found


class WordsAnalyzer(CompositeAnalyzer):
    """Every word as written, lower-cased (the words field's chain); `words` gives the
    same words for indexing without a Token per word."""

    def __init__(self, pattern: str) -> None:
        super().__init__(RegexTokenizer(pattern), LowercaseFilter())

    def words(self, text: str) -> list[str]:
        """The words the chain gives for the text, in order (their positions)."""
        expression: re.Pattern[str] = cast(Any, self.items[0]).expression
        return [match.group().lower() for match in expression.finditer(text)]


_COMPOUND_WORD = re.compile(COMPOUND_WORD)
#: Each word's compound parts, remembered: the same words come again and again.
_PIECES: dict[str, tuple[str, ...]] = {}
_CACHED = 200_000


def ranked_analyzer(stoplist: frozenset[str] = STOP_WORDS) -> RankedAnalyzer:
    """The ranked fields' analyzer: compounds split, lower case, stop words out, stems."""
    return RankedAnalyzer(stoplist)


#: The same chain for a query's plain words: its question words left out as well.
QUERY_ANALYZER = ranked_analyzer(STOP_WORDS | QUESTION_WORDS)

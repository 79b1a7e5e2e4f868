"""Related posts pick their key terms exactly as Whoosh's key_terms_from_text does, with
each term's frequency looked up once per searcher."""

from __future__ import annotations

from pathlib import Path

from whoosh.classify import Expander

from folio.search.engine import CODEC
from folio.search.folder import IndexFolder
from folio.search.results import _Remembered
from folio.search.service import SiteSearch
from tests.search.conftest import doc, filler


def test_key_terms_are_whooshs_and_each_frequency_is_looked_up_once(tmp_path: Path) -> None:
    folder = IndexFolder(tmp_path)
    folder.build([doc(n, filler(n) + " " + filler(n * 7 + 3)) for n in range(60)])
    search = SiteSearch(folder)
    search.refresh()
    ranker = search._ranker
    assert ranker is not None
    for n in (1, 5, 9):
        text = filler(n * 11) + " otter heron " + filler(n)
        expander = Expander(_Remembered(ranker), "body")  # type: ignore[arg-type]
        expander.add_text(text)
        assert expander.expanded_terms(12) == ranker.searcher.key_terms_from_text(
            "body", text, numterms=12
        )
    assert ranker.frequencies  # remembered for the next article
    assert ("body", b"zzzzq") not in _Remembered(ranker)
    assert ranker.frequencies[("body", b"zzzzq")] == 0  # an absent word, remembered as such
    search.close()


def test_an_edit_keeps_the_frequencies_and_a_new_build_forgets_them(tmp_path: Path) -> None:
    folder = IndexFolder(tmp_path)
    folder.build([doc(n, filler(n)) for n in range(20)])
    search = SiteSearch(folder)
    search.refresh()
    assert search._ranker is not None
    search._ranker.frequencies[("body", b"otter")] = 3.0
    index = folder.open(str(folder.current_name()))
    writer = index.writer(codec=CODEC)
    writer.update_document(**doc(3, "an edited otter"))
    writer.commit()
    index.close()
    before = search._ranker
    search.refresh()
    assert search._ranker is not before  # the commit is searched
    assert search._ranker.frequencies == {("body", b"otter"): 3.0}
    folder.build([doc(n, filler(n)) for n in range(20)])
    search.refresh()
    assert search._ranker.frequencies == {}
    search.close()

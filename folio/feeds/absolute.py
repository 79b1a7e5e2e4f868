"""Content HTML with every link and image made absolute, for readers outside the site."""

from __future__ import annotations

from urllib.parse import urljoin

from lxml import html as lxml_html


def absolute_links(fragment: str, page_url: str) -> str:
    """The fragment with relative href, src and srcset URLs resolved against the URL of
    the page it belongs to."""
    if not fragment.strip():
        return fragment
    root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    root.make_links_absolute(page_url, resolve_base_href=False)
    for element in root.iter("img", "source"):
        if srcset := element.get("srcset"):
            element.set("srcset", _absolute_srcset(srcset, page_url))
    inner = "".join(lxml_html.tostring(child, encoding="unicode") for child in root)
    return (root.text or "") + inner


def _absolute_srcset(srcset: str, page_url: str) -> str:
    candidates = []
    for candidate in srcset.split(","):
        url, _, descriptor = candidate.strip().partition(" ")
        candidates.append(f"{urljoin(page_url, url)} {descriptor}".strip())
    return ", ".join(candidates)

"""Content HTML with every link and image made absolute, for readers outside the site."""

from __future__ import annotations

from lxml import html as lxml_html


def absolute_links(fragment: str, base_url: str) -> str:
    """The fragment with relative href, src and srcset URLs joined onto base_url."""
    if not fragment.strip():
        return fragment
    root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    root.make_links_absolute(base_url.rstrip("/") + "/", resolve_base_href=False)
    for element in root.iter("img", "source"):
        if srcset := element.get("srcset"):
            element.set("srcset", _absolute_srcset(srcset, base_url))
    inner = "".join(lxml_html.tostring(child, encoding="unicode") for child in root)
    return (root.text or "") + inner


def _absolute_srcset(srcset: str, base_url: str) -> str:
    candidates = []
    for candidate in srcset.split(","):
        url, _, descriptor = candidate.strip().partition(" ")
        if url.startswith("/") and not url.startswith("//"):
            url = base_url.rstrip("/") + url
        candidates.append(f"{url} {descriptor}".strip())
    return ", ".join(candidates)

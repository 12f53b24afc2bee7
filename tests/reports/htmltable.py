"""A tiny HTML table reader for assertions (the stdlib parser, no regex on HTML)."""

from __future__ import annotations

from html.parser import HTMLParser


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self.links: list[str] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self._row = []
        elif tag == "td" and self._row is not None:
            self._cell = []
        elif tag == "a":
            self.links.extend(v or "" for k, v in attrs if k == "href")

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._row is not None and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None
        elif tag == "tbody":
            self._in_body = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def body_rows(html: str) -> list[list[str]]:
    """The text of every cell of every ``<tbody>`` row."""
    parser = _Tables()
    parser.feed(html)
    return parser.rows


def hrefs(html: str) -> list[str]:
    """Every link target in the page."""
    parser = _Tables()
    parser.feed(html)
    return parser.links

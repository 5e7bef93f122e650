#!/usr/bin/env python3
"""Checks the links of a built mdBook: every relative href or src in its
HTML must name a file of the book, and every #fragment an id on that page.
mdBook checks none of this itself; a renamed heading or chapter would
otherwise leave dead links behind.

Usage: check-book-links.py BOOK_DIR [MARKDOWN_FILE ...]

Markdown files given after the book (the README) have their relative links
checked too: each must name a file that exists. Exits 1 listing every
broken link, 0 when there is none.
"""

import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit
import re


class Page(HTMLParser):
    """The ids a page defines, the links it makes, and its <base href>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids = set()
        self.links = []
        self.base = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("id", "name"):
            if attrs.get(name):
                self.ids.add(attrs[name])
        if tag == "base" and attrs.get("href"):
            self.base = attrs["href"]
        for name in ("href", "src"):
            if attrs.get(name) is not None:
                self.links.append(attrs[name])


def is_relative(link):
    parts = urlsplit(link)
    return not parts.scheme and not parts.netloc


def parse(path):
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def check_book(book):
    pages = {path.resolve(): parse(path) for path in book.rglob("*.html")}
    broken = []
    for path, page in sorted(pages.items()):
        # mdBook's 404 page has <base href="/">: its links start at the book's root.
        origin = book.resolve() if page.base and page.base.startswith("/") else path.parent
        for link in page.links:
            if not is_relative(link):
                continue
            parts = urlsplit(link)
            # An absolute path starts at the book's root too.
            local = unquote(parts.path)
            start = book.resolve() if local.startswith("/") else origin
            target = (start / local.lstrip("/")).resolve() if local else path
            if target.is_dir():
                target = target / "index.html"
            where = f"{path.relative_to(book.resolve())}: {link}"
            if not target.is_file():
                broken.append(f"{where} (no such file)")
            elif parts.fragment and target.suffix == ".html":
                if unquote(parts.fragment) not in pages[target].ids:
                    broken.append(f"{where} (no id {parts.fragment!r} on that page)")
    return broken


MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)")


def check_markdown(path):
    broken = []
    for link in MARKDOWN_LINK.findall(path.read_text(encoding="utf-8")):
        parts = urlsplit(link)
        if is_relative(link) and parts.path and not (path.parent / unquote(parts.path)).exists():
            broken.append(f"{path}: {link} (no such file)")
    return broken


def main(arguments):
    if not arguments:
        print(__doc__, file=sys.stderr)
        return 2
    book = Path(arguments[0])
    if not (book / "index.html").is_file():
        print(f"{book} holds no built book (no index.html)", file=sys.stderr)
        return 2
    broken = check_book(book)
    for markdown in arguments[1:]:
        broken += check_markdown(Path(markdown))
    for line in broken:
        print(f"broken link: {line}", file=sys.stderr)
    if broken:
        print(f"{len(broken)} broken link(s)", file=sys.stderr)
        return 1
    print(f"every link of {book} resolves")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

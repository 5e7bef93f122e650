#!/usr/bin/env bash
# Builds the book in docs/ (mdBook) into docs/book/ and fails on a broken
# internal link: mdBook does not check links, scripts/check-book-links.py
# does, over the built HTML and the README's links. First proves that the
# checker fails on a small book with a broken link and a broken anchor.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_mdbook

say "The link checker must refuse a book with a broken link and a broken anchor"
sample=$(mktemp -d)
trap 'rm -rf "$sample"' EXIT
mkdir -p "$sample/src"
printf '[book]\ntitle = "sample"\n' >"$sample/book.toml"
printf '# Summary\n\n- [One](one.md)\n- [Two](two.md)\n' >"$sample/src/SUMMARY.md"
printf '# One\n\nSee [two](two.md#a-heading).\n' >"$sample/src/one.md"
printf '# Two\n\n## A heading\n\nSee [three](three.md) and [one](one.md#no-such-heading).\n' >"$sample/src/two.md"
mdbook build "$sample" >/dev/null 2>&1
if output=$(python3 scripts/check-book-links.py "$sample/book" 2>&1); then
    echo "FAILED: the checker passed a book with broken links" >&2
    exit 1
fi
for expected in "two.html: three.html (no such file)" "two.html: one.html#no-such-heading (no id"; do
    if ! grep -qF "$expected" <<<"$output"; then
        echo "FAILED: the checker did not report: $expected" >&2
        echo "$output" >&2
        exit 1
    fi
done
echo "it does:"
echo "$output" | sed 's/^/    /'

say "Building the book (mdbook build docs) and checking its links"
mdbook build docs
python3 scripts/check-book-links.py docs/book README.md

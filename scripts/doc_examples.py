#!/usr/bin/env python3
"""Extracts the runnable shell examples of the README and the book into one
bash script per document, for scripts/doc-examples.sh to run.

Usage: doc_examples.py OUT_DIR

Documents: README.md, then every chapter of docs/src/SUMMARY.md in its
order. A block fenced ```sh,run (or ```bash,run) runs; ```sh,no_run does
not; a plain ```sh or ```bash block is an error, so that every example
says which it is. A command whose line ends in a comment starting with an
HTTP status (`# 201`, `# 401: no key`) is followed by a check that its last
curl answered that status.

Writes OUT_DIR/NN-<document>.sh for each document with runnable blocks and
prints their names, one a line, in order. Exits 1 on an unmarked block.
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHELLS = {"sh", "bash"}
FENCE = re.compile(r"^(`{3,})(.*)$")
# A status in a trailing comment, after the command: `... # 201` or `# 401: no key`.
STATUS = re.compile(r"\s#\s*([1-5][0-9]{2})\b[^`]*$")
SUMMARY_LINK = re.compile(r"\]\(([^)#\s]+\.md)\)")


def documents():
    chapters = SUMMARY_LINK.findall((ROOT / "docs/src/SUMMARY.md").read_text(encoding="utf-8"))
    return [ROOT / "README.md"] + [ROOT / "docs/src" / chapter for chapter in chapters]


def blocks(path):
    """(first line number, info string, lines) of every fenced block."""
    lines = path.read_text(encoding="utf-8").split("\n")
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        fence, info = opening.group(1), opening.group(2).strip()
        end = index + 1
        while end < len(lines) and lines[end].strip() != fence:
            end += 1
        yield index + 2, info, lines[index + 1 : end]
        index = end + 1


def commands(start, lines):
    """Logical commands (continuation lines joined) as (line number of
    their last line, their lines)."""
    command = []
    for offset, line in enumerate(lines):
        command.append(line)
        if not line.endswith("\\"):
            yield start + offset, command
            command = []
    if command:
        yield start + len(lines) - 1, command


def script_for(path):
    name = path.relative_to(ROOT)
    out, unmarked = [], []
    for start, info, lines in blocks(path):
        language, _, attributes = info.partition(",")
        if language not in SHELLS:
            continue
        if attributes not in ("run", "no_run"):
            unmarked.append(f"{name}:{start - 1}: ```{info} (write ```{language},run or ```{language},no_run)")
            continue
        if attributes == "no_run":
            continue
        out.append(f"\necho '--- {name}:{start}'")
        for last_line, command in commands(start, lines):
            out.extend(command)
            status = STATUS.search(command[-1])
            if status and not command[-1].lstrip().startswith("#"):
                out.append(f"expect_status {status.group(1)} '{name}:{last_line}'")
    return out, unmarked


def main(arguments):
    if len(arguments) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    out_dir = Path(arguments[0])
    out_dir.mkdir(parents=True, exist_ok=True)
    problems = []
    for number, path in enumerate(documents()):
        lines, unmarked = script_for(path)
        problems += unmarked
        if lines:
            script = out_dir / f"{number:02d}-{path.stem}.sh"
            script.write_text("\n".join(lines) + "\n", encoding="utf-8")
            print(script.name)
    for problem in problems:
        print(f"unmarked shell block: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

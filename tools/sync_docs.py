#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Keeps generated sections of the docs in sync with the binary that generates them.

Usage: tools/sync_docs.py PGVIGIL_BINARY [--write]
A section is the text between "<!-- BEGIN generated: pgvigil ARGS -->" and
"<!-- END generated -->" in docs/*.md; its content must be the output of `pgvigil ARGS`.
Without --write: exit 1 and name every stale section. With --write: rewrite them.
"""
import pathlib
import re
import shlex
import subprocess
import sys

SECTION = re.compile(r"(<!-- BEGIN generated: pgvigil (.*?) -->\n)(.*?)(<!-- END generated -->)", re.S)


def main() -> int:
    binary = sys.argv[1]
    write = "--write" in sys.argv[2:]
    docs = pathlib.Path(__file__).resolve().parent.parent / "docs"
    stale = []
    for doc in sorted(docs.glob("*.md")):
        text = doc.read_text(encoding="utf-8")

        def replace(match: re.Match) -> str:
            output = subprocess.run([binary, *shlex.split(match.group(2))], check=True,
                                    capture_output=True, text=True).stdout
            if output != match.group(3):
                stale.append(f"{doc.name}: section 'pgvigil {match.group(2)}'")
            return match.group(1) + output + match.group(4)

        new_text = SECTION.sub(replace, text)
        if write and new_text != text:
            doc.write_text(new_text, encoding="utf-8")
    if stale and not write:
        for s in stale:
            print(f"stale generated section: {s} (run tools/sync_docs.py build/pgvigil --write)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

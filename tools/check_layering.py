#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Rejects #include edges between src/ folders that STYLE.md §3 does not allow.

Usage: tools/check_layering.py [SRC_DIR]   (default: src/ beside this script's parent)
Exit 0 when every edge is allowed; 1 with one line per forbidden include otherwise.
Third-party headers are checked too: libpq only in pg/, sqlite3 only in store/.
"""
import pathlib
import re
import sys

ALLOWED = {
    "common": set(),
    "model": {"common"},
    "config": {"common"},
    "pg": {"common"},
    "collect": {"pg", "model", "common"},
    "analysis": {"model", "common"},
    "alerts": {"model", "common"},
    "maintenance": {"pg", "model", "common"},
    "store": {"model", "common"},
    "http": {"store", "model", "common"},
    "daemon": {"common", "model", "config", "pg", "collect", "analysis", "alerts",
               "maintenance", "store", "http"},
    # cli prints model values (reports); STYLE.md §3 lists daemon, store, config, common.
    "cli": {"daemon", "store", "config", "model", "common"},
}
# Third-party headers that belong to exactly one folder (STYLE.md §8).
OWNED = {"libpq-fe.h": "pg", "sqlite3.h": "store", "pg_query.h": "analysis"}

INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')


def main() -> int:
    src = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent.parent / "src"
    problems = []
    for path in sorted(src.rglob("*")):
        if path.suffix not in {".h", ".cc"}:
            continue
        folder = path.relative_to(src).parts[0]
        if folder not in ALLOWED:
            problems.append(f"{path}: folder '{folder}' is not in the layering table")
            continue
        is_test = path.name.endswith("_test.cc")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = INCLUDE.match(line)
            if not match:
                continue
            header = match.group(1)
            owner = OWNED.get(pathlib.PurePath(header).name)
            if owner is not None and owner != folder:
                problems.append(f"{path}:{number}: {header} may only be used in {owner}/")
            target = header.split("/")[0]
            if "/" not in header or target not in ALLOWED or target == folder:
                continue
            if is_test and target == "support":
                continue
            if target not in ALLOWED[folder]:
                problems.append(f"{path}:{number}: {folder}/ may not include {header}")
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

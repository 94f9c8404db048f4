"""Gives an executed notebook its source's cell ids. dotnet repl 0.3.259 writes executed notebooks that declare
nbformat 4.5 but carry no cell ids (nbformat 4.5 requires one per cell; nbformat's validator warns that this will
become an error); the kit's runner and the Jupyter kernel keep them. The executed copy holds the source's cells in the
same order, so each gets the id of the source cell at its position — after checking that the two agree cell by cell
(count, type and source text), which fails with the first position that differs. Written atomically.
usage: python3 scripts/restore-cell-ids.py SOURCE.ipynb EXECUTED.ipynb"""
import json
import os
import sys


def text(cell):
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except OSError as e:
        sys.exit(f"{path}: {e.strerror}")
    except json.JSONDecodeError as e:
        sys.exit(f"{path}, line {e.lineno}: not a notebook ({e.msg})")


def main(source_path, executed_path):
    source, executed = load(source_path), load(executed_path)
    mine, theirs = source.get("cells", []), executed.get("cells", [])
    if len(mine) != len(theirs):
        sys.exit(f"{executed_path}: {len(theirs)} cells, {source_path}: {len(mine)}; not the same notebook")
    for n, (a, b) in enumerate(zip(mine, theirs), 1):
        if "id" not in a:
            sys.exit(f"{source_path}: cell {n} has no id")
        if a.get("cell_type") != b.get("cell_type") or text(a).strip() != text(b).strip():
            sys.exit(f"{executed_path}: cell {n} differs from {source_path}'s (type or source); ids not copied")
    changed = 0
    for a, b in zip(mine, theirs):
        if b.get("id") != a["id"]:
            b["id"] = a["id"]
            changed += 1
    tmp = executed_path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(executed, f, indent=1, ensure_ascii=False)
        f.write("\n")
    os.replace(tmp, executed_path)
    print(f"  {executed_path}: {changed} cell ids restored from {source_path}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])

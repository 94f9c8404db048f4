"""Checks the main job's executed notebooks: each notebook in SOURCE_DIR has an executed copy in every OUT_DIR that
nbformat's own validator accepts and whose every cell carries the source cell's id (nbformat 4.5; read from the file
itself, since nbformat's reader adds missing ids), whose outputs hold at least one plot (a research-chart) and one table, and whose
HTML report (where the kit's runner wrote one) shows them too. Exit status 1 names every failure.
usage: /usr/bin/python3 scripts/check-notebooks.py SOURCE_DIR OUT_DIR [OUT_DIR ...]   (Debian's python3-nbformat)"""
import glob
import json
import os
import sys

import nbformat


def html_outputs(nb):
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            html = out.get("data", {}).get("text/html")
            if html:
                yield html if isinstance(html, str) else "".join(html)


def main(source, outs):
    failures = []
    names = sorted(os.path.basename(p) for p in glob.glob(os.path.join(source, "*.ipynb")))
    for out in outs:
        for name in names:
            path = os.path.join(out, name)
            if not os.path.exists(path):
                failures.append(f"{path}: missing (the notebook did not run)")
                continue
            raw = json.load(open(path, encoding="utf-8"))
            want = [c.get("id") for c in json.load(open(os.path.join(source, name), encoding="utf-8"))["cells"]]
            have = [c.get("id") for c in raw.get("cells", [])]
            if have != want:
                first = next((i for i, (a, b) in enumerate(zip(have, want)) if a != b), min(len(have), len(want)))
                failures.append(f"{path}: cell {first + 1} has id {have[first] if first < len(have) else None!r}, its source {want[first] if first < len(want) else None!r} (nbformat 4.5 needs the ids)")
                continue
            nb = nbformat.read(path, as_version=4)
            try:
                nbformat.validate(nb)
            except nbformat.ValidationError as e:
                failures.append(f"{path}: nbformat validation: {e.message}")
                continue
            html = list(html_outputs(nb))
            charts = sum(h.count('class="research-chart"') for h in html)
            tables = sum(h.count("<table") for h in html)
            report = os.path.splitext(path)[0] + ".html"
            if os.path.exists(report):
                text = open(report, encoding="utf-8").read()
                charts, tables = min(charts, text.count('class="research-chart"')), min(tables, text.count("<table"))
            status = "ok" if charts and tables else "FAILED"
            print(f"  {path}: valid nbformat {nb.nbformat}.{nb.nbformat_minor}, {len(nb.cells)} cells, {charts} plots, {tables} tables: {status}")
            if not charts or not tables:
                failures.append(f"{path}: needs at least one plot and one table (found {charts} plots, {tables} tables)")
    for f in failures:
        print(f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2:]))

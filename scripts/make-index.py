"""Writes ARTIFACTS/index.html: one page linking every output of the main job (data checks, cleaning, mining, trained
models, evaluations), the experiment grids with their aggregated tables inline, and the notebooks' HTML reports.
Standard library only, no external resources. usage: python3 scripts/make-index.py artifacts"""
import html
import json
import os
import sys
import time


def md_table(path):
    """The first Markdown pipe table of a file as an HTML table (text before it as a caption)."""
    lines = open(path, encoding="utf-8").read().splitlines()
    rows = [l for l in lines if l.startswith("|")]
    caption = " ".join(l for l in lines if l and not l.startswith("|"))
    if len(rows) < 2:
        return ""
    cells = [[c.strip() for c in r.strip("|").split("|")] for r in rows]
    head, body = cells[0], cells[2:]
    out = [f"<table><caption>{html.escape(caption)}</caption><thead><tr>"]
    out += [f"<th>{html.escape(h)}</th>" for h in head] + ["</tr></thead><tbody>"]
    for r in body:
        out.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>")
    return "".join(out) + "</tbody></table>"


def link(root, path, label=None):
    rel = os.path.relpath(path, root)
    return f'<a href="{html.escape(rel)}">{html.escape(label or rel)}</a>'


def main(root):
    parts = []
    main_dir = os.path.join(root, "main")
    if os.path.isdir(main_dir):
        parts.append("<h2>Main job (artifacts/main)</h2><ul>")
        for name in sorted(os.listdir(main_dir)):
            path = os.path.join(main_dir, name)
            files = []
            if os.path.isdir(path):
                for f in ("summary.json", "summary.md", "dropped.tsv", "leakage.tsv", "cleaned.jsonl", "mined.jsonl",
                          "training_log.jsonl", "training_args.json", "run.trec"):
                    if os.path.exists(os.path.join(path, f)):
                        files.append(link(root, os.path.join(path, f), f))
            parts.append(f"<li>{link(root, path, name)}{': ' + ', '.join(files) if files else ''}</li>")
        parts.append("</ul>")
        suite = os.path.join(main_dir, "eval-suite", "summary.md")
        if os.path.exists(suite):
            parts.append("<h3>Every variant, MTEB-style (" + link(root, os.path.join(main_dir, "eval-suite"), "results in mteb's layout") + ")</h3>")
            parts.append(md_table(suite))
    exp_root = os.path.join(root, "experiments")
    if os.path.isdir(exp_root):
        parts.append("<h2>Experiment grids (artifacts/experiments)</h2>")
        for name in sorted(os.listdir(exp_root)):
            d = os.path.join(exp_root, name)
            agg = os.path.join(d, "aggregate.md")
            if not os.path.exists(agg):
                continue
            manifest = json.load(open(os.path.join(d, "manifest.json"), encoding="utf-8"))
            done = sum(c["status"] == "done" for c in manifest["cells"])
            parts.append(f"<h3>{html.escape(name)}</h3><p><code>{html.escape(manifest['command'])}</code> · {done} of {len(manifest['cells'])} cells done"
                         f" · commit <code>{html.escape(str(manifest.get('git_commit')))}</code> · "
                         + ", ".join(link(root, os.path.join(d, f), f) for f in ("manifest.json", "aggregate.csv", "aggregate.json", "results/summary.md") if os.path.exists(os.path.join(d, f)))
                         + "</p>")
            parts.append(md_table(agg))
    nb_dir = os.path.join(root, "notebooks")
    if os.path.isdir(nb_dir):
        parts.append("<h2>Notebooks (executed headless)</h2><ul>")
        for name in sorted(f for f in os.listdir(nb_dir) if f.endswith(".html")):
            stem = name[:-5]
            extra = [link(root, os.path.join(nb_dir, stem + ".ipynb"), "kit runner .ipynb")]
            if os.path.exists(os.path.join(nb_dir, "repl", stem + ".ipynb")):
                extra.append(link(root, os.path.join(nb_dir, "repl", stem + ".ipynb"), "dotnet repl .ipynb"))
            if os.path.exists(os.path.join(nb_dir, "jupyter", stem + ".ipynb")):
                extra.append(link(root, os.path.join(nb_dir, "jupyter", stem + ".ipynb"), "Jupyter kernel .ipynb"))
            parts.append(f"<li>{link(root, os.path.join(nb_dir, name), stem)} ({', '.join(extra)})</li>")
        parts.append("</ul>")
    real_dir = os.path.join(root, "notebooks-real")
    if os.path.isdir(real_dir):
        parts.append("<h2>Notebooks on real data (<code>bash scripts/run-real.sh</code>: all-MiniLM-L6-v2 on SciFact, a Chinese model pre-trained here)</h2>")
        times = os.path.join(real_dir, "times.tsv")
        if os.path.exists(times):
            parts.append("<p>" + html.escape(" · ".join(l.strip().replace("\t", ": ") for l in open(times, encoding="utf-8") if l.strip())) + "</p>")
        parts.append("<ul>")
        for name in sorted(f for f in os.listdir(real_dir) if f.endswith(".html")):
            stem = name[:-5]
            parts.append(f"<li>{link(root, os.path.join(real_dir, name), stem)} ({link(root, os.path.join(real_dir, stem + '.ipynb'), 'executed .ipynb')})</li>")
        parts.append("</ul>")
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Research kit: main job outputs</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}}
table{{border-collapse:collapse;margin:.5em 0 1.5em;font-size:14px}}td,th{{border:1px solid #ccc;padding:3px 8px}}
td:not(:first-child){{text-align:right}}caption{{text-align:left;color:#555;padding:4px 0}}code{{background:#f3f3f3}}</style></head>
<body><h1>Research kit: main job outputs</h1><p>Written {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by <code>bash scripts/run-main.sh</code>.</p>
{''.join(parts)}
</body></html>
"""
    path = os.path.join(root, "index.html")
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(page)
    os.replace(tmp, path)
    print(path)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "artifacts")

"""Runs notebooks in the engine VS Code's Polyglot Notebooks use: the dotnet-interactive tool (pinned in
.config/dotnet-tools.json) as a Jupyter kernel, driven by a real Jupyter client (Debian's python3-nbclient), the way
`jupyter nbconvert --execute` would. Every code cell must run without an error output. With --compare REPL_DIR, each
executed notebook is then compared with dotnet repl's executed copy of it, cell by cell (the outputs of a cell as a
set of "kind|mime|content", after the normalization below): the two hosts run the same kernel and must agree.
Executed notebooks are written atomically to OUT_DIR (also when a cell fails: up to that cell). Exit status 1 names
every failure.

usage: /usr/bin/python3 scripts/run-jupyter.py KERNELSPEC_ROOT OUT_DIR NOTEBOOK [NOTEBOOK ...] [--compare REPL_DIR]
       [--cell-timeout SECONDS]
KERNELSPEC_ROOT holds kernels/.net-csharp/kernel.json (`dotnet interactive jupyter install --path ROOT/kernels`)."""
import argparse
import os
import re
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError

KERNEL = ".net-csharp"
# Outputs that differ between hosts by design, not by behaviour: #r "nuget:" progress displays (their count depends on
# timing), the kernel-extension notice, and the script the Jupyter kernel adds to its first cell's outputs for a
# Jupyter front end. Plotly.NET.Interactive's div ids are random GUIDs.
TRANSIENT = ("<strong>Installing Packages</strong>", "<strong>Installed Packages</strong>", "Loading extensions from `",
             "<div id='dotnet-interactive-this-cell-")
GUID = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}")


def text(value):
    return value if isinstance(value, str) else "".join(value)


def cell_outputs(cell):
    """A code cell's outputs as a sorted list of "kind|mime|content" (dotnet repl writes a return value as display_data
    and its streams after the displays, so order and output_type are not compared)."""
    shown = []
    for out in cell.get("outputs", []):
        if out["output_type"] == "stream":
            shown.append(f"stream|{out['name']}|{text(out['text'])}")
        elif out["output_type"] == "error":
            shown.append(f"error|{out.get('ename')}|{out.get('evalue')}")
        else:
            for mime, value in out.get("data", {}).items():
                content = text(value) if isinstance(value, (str, list)) else str(value)
                if any(t in content for t in TRANSIENT):
                    continue
                shown.append(f"data|{mime}|{GUID.sub('<guid>', content)}")
    return sorted(shown)


def write_atomic(nb, path):
    tmp = path + ".tmp"
    nbformat.write(nb, tmp)
    os.replace(tmp, path)


def run(path, out_dir, cell_timeout):
    """Executes one notebook; the kernel's own console (its web host's start-up lines, crashes) goes to NAME.kernel.log."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=cell_timeout, kernel_name=KERNEL, allow_errors=False,
                            resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}})
    start = time.time()
    error = None
    log = open(os.path.join(out_dir, os.path.splitext(os.path.basename(path))[0] + ".kernel.log"), "w")
    try:
        client.execute(stdout=log, stderr=log)
    except CellTimeoutError as e:
        error = f"a cell ran past {cell_timeout} s: {str(e).strip().splitlines()[0]}"
    except CellExecutionError:
        failed = next((i for i, c in enumerate(nb.cells, 1) if any(o.get("output_type") == "error" for o in c.get("outputs", []))), None)
        if failed is None:
            error = "a cell failed, but no cell holds an error output"
        else:
            out = next(o for o in nb.cells[failed - 1].outputs if o.get("output_type") == "error")
            # The kernel's evalue is the exception's text and its stack: the first line says what failed.
            message = next((line.strip() for line in str(out.get("evalue", "")).splitlines() if line.strip()), "")
            error = f"cell {failed}: {message[:600]}"
    except Exception as e:  # the kernel did not start, or died: what it printed says why
        log.flush()
        console = [line for line in open(log.name, encoding="utf-8", errors="replace").read().splitlines() if line.strip()]
        error = f"the kernel failed ({type(e).__name__}: {e}); its console ({log.name}) ends: " + " | ".join(console[-3:])
    finally:
        log.close()
    executed = os.path.join(out_dir, os.path.basename(path))
    write_atomic(nb, executed)
    return nb, executed, error, time.time() - start


def compare(nb, repl_path):
    if not os.path.exists(repl_path):
        return [f"{repl_path}: missing (dotnet repl did not run it)"]
    repl = nbformat.read(repl_path, as_version=4)
    mine = [c for c in nb.cells if c.cell_type == "code"]
    theirs = [c for c in repl.cells if c.cell_type == "code"]
    if len(mine) != len(theirs):
        return [f"{len(mine)} code cells here, {len(theirs)} in {repl_path}"]
    problems = []
    for i, (a, b) in enumerate(zip(mine, theirs), 1):
        oa, ob = cell_outputs(a), cell_outputs(b)
        if oa != ob:
            only_here = [o[:160] for o in oa if o not in ob][:2]
            only_there = [o[:160] for o in ob if o not in oa][:2]
            problems.append(f"code cell {i}: outputs differ from dotnet repl's: only here {only_here}, only in repl {only_there}")
    return problems


def main(argv):
    parser = argparse.ArgumentParser(description="Runs notebooks in the dotnet-interactive Jupyter kernel through nbclient.")
    parser.add_argument("root", metavar="KERNELSPEC_ROOT", help="holds kernels/.net-csharp/kernel.json")
    parser.add_argument("out_dir", metavar="OUT_DIR", help="where the executed notebooks go")
    parser.add_argument("notebooks", metavar="NOTEBOOK", nargs="+")
    parser.add_argument("--compare", metavar="REPL_DIR", help="dotnet repl's executed copies, compared cell by cell")
    parser.add_argument("--cell-timeout", type=int, default=600, metavar="SECONDS")
    parsed = parser.parse_args(argv)
    if parsed.cell_timeout <= 0:
        parser.error(f"--cell-timeout {parsed.cell_timeout}: expected a positive number of seconds")
    compare_dir, cell_timeout = parsed.compare, parsed.cell_timeout
    root, out_dir, notebooks = parsed.root, parsed.out_dir, parsed.notebooks
    spec = os.path.join(root, "kernels", KERNEL, "kernel.json")
    if not os.path.exists(spec):
        sys.exit(f"{spec}: no {KERNEL} kernelspec (run: dotnet interactive jupyter install --path {os.path.join(root, 'kernels')})")
    os.environ["JUPYTER_PATH"] = os.path.abspath(root)
    os.makedirs(out_dir, exist_ok=True)
    failures = []
    for path in notebooks:
        if not os.path.isfile(path):
            failures.append(f"{path}: no such notebook")
            print(f"  {path}: FAILED (no such notebook)", flush=True)
            continue
        try:
            nbformat.read(path, as_version=4)
        except Exception as e:  # not JSON, not a notebook: one line, no traceback
            failures.append(f"{path}: not a readable notebook ({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''})")
            print(f"  {path}: FAILED (not a readable notebook)", flush=True)
            continue
        nb, executed, error, seconds = run(path, out_dir, cell_timeout)
        problems = [error] if error else []
        if not error and compare_dir:
            problems += compare(nb, os.path.join(compare_dir, os.path.basename(path)))
        status = "ok" if not problems else "FAILED"
        print(f"  {path}: {status} in the dotnet-interactive Jupyter kernel ({seconds:.0f} s; {executed})", flush=True)
        failures += [f"{path}: {p}" for p in problems]
    for f in failures:
        print(f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

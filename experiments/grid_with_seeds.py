"""Writes an experiment file with the seeds asked for and its relative paths made absolute (relative to experiments/),
so a grid can run from anywhere. Used by the experiment scripts that take SEEDS.
Usage: grid_with_seeds.py EXPERIMENT_JSON "SEED SEED ..." OUT_JSON"""
import json, os, sys

source, seeds, target = sys.argv[1:4]
here = os.path.abspath(os.path.dirname(source))
spec = json.load(open(source))
at = lambda p: os.path.normpath(os.path.join(here, p))
spec["seeds"] = [int(s) for s in seeds.split()]
spec["models"] = {k: at(v) for k, v in spec["models"].items()}
for v in spec["variants"]:
    v["config"], v["data"] = at(v["config"]), at(v["data"])
spec["tasks"], spec["out"] = at(spec["tasks"]), at(spec["out"])
os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
json.dump(spec, open(target, "w"), indent=2)

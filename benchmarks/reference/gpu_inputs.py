"""Inputs of the `gpu` benchmark, from BEIR SciFact (../shared/data/beir_scifact): texts.txt (every title, every abstract
cut to 600 characters, every query: 11,475 texts, one per line) and pairs.jsonl (each query with its first relevant
abstract, cut to 1,200 characters, as FlagEmbedding JSONL). Usage: gpu_inputs.py SCIFACT_DIR OUT_DIR"""
import json
import os
import sys

src, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
corpus = {}
for line in open(os.path.join(src, "corpus.jsonl"), encoding="utf-8"):
    d = json.loads(line)
    corpus[d["_id"]] = (d.get("title", ""), d["text"])
queries = {}
for line in open(os.path.join(src, "queries.jsonl"), encoding="utf-8"):
    d = json.loads(line)
    queries[d["_id"]] = d["text"]
flat = lambda s: " ".join(s.split())
texts = [flat(t) for t, _ in corpus.values() if t.strip()] + [flat(x)[:600] for _, x in corpus.values()] + [flat(q) for q in queries.values()]
with open(os.path.join(out, "texts.txt"), "w", encoding="utf-8") as f:
    f.writelines(t + "\n" for t in texts if t)
pairs = {}
for line in open(os.path.join(src, "qrels", "test.trec"), encoding="utf-8"):
    qid, _, did, rel = line.split()
    if int(rel) > 0 and qid in queries and did in corpus and qid not in pairs:
        pairs[qid] = flat(corpus[did][0] + " " + corpus[did][1])[:1200]
with open(os.path.join(out, "pairs.jsonl"), "w", encoding="utf-8") as f:
    for qid, passage in pairs.items():
        f.write(json.dumps({"query": flat(queries[qid]), "pos": [passage], "neg": []}, ensure_ascii=False) + "\n")
print(f"{out}: {len(texts)} texts, {len(pairs)} pairs")

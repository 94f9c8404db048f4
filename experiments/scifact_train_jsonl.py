"""Writes BEIR SciFact train as kit training JSONL (claim -> cited abstracts, title + text, no negatives) and the
corpus as plain text, one abstract per line. With --pairs, one record per (claim, cited abstract) pair (919 records),
as a sentence-transformers (anchor, positive) dataset holds them.
Usage: scifact_train_jsonl.py SCIFACT_DIR OUT_JSONL OUT_CORPUS_TXT [--pairs]"""
import json, sys

data, out_jsonl, out_corpus = sys.argv[1:4]
pairs = "--pairs" in sys.argv[4:]
corpus = {}
for line in open(f"{data}/corpus.jsonl", encoding="utf-8"):
    d = json.loads(line)
    corpus[d["_id"]] = (d.get("title", "") + " " + d["text"]).strip()
queries = {}
for line in open(f"{data}/queries.jsonl", encoding="utf-8"):
    q = json.loads(line)
    queries[q["_id"]] = q["text"]
positives = {}
for i, line in enumerate(open(f"{data}/qrels/train.tsv", encoding="utf-8")):
    if i == 0:
        continue  # header
    q, d, score = line.rstrip("\n").split("\t")
    if int(score) > 0:
        positives.setdefault(q, []).append(corpus[d])
with open(out_jsonl, "w", encoding="utf-8") as f:
    for q, passages in positives.items():
        for group in ([[p] for p in passages] if pairs else [passages]):
            f.write(json.dumps({"query": queries[q], "pos": group, "neg": []}, ensure_ascii=False) + "\n")
with open(out_corpus, "w", encoding="utf-8") as f:
    for text in corpus.values():
        f.write(text.replace("\n", " ") + "\n")

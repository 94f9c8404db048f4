"""financial-qa-10K as a retrieval fine-tuning experiment: question -> its 10-K context passage.
Rows without a question or context are skipped (and counted); duplicate (question, context) rows are kept once.
The questions are split by question text with a fixed seed (80% train, 10% dev, 10% test; a question that occurs
twice lands in one split), so no test question is seen in training. Writes:
  OUT/train.jsonl         kit training JSONL {query, pos: [context], neg: []} for the train questions
  OUT/corpus.txt          every distinct context, one per line (the mining pool)
  OUT/beir/               a BEIR folder: corpus.jsonl (every distinct context), queries.jsonl, qrels/dev.tsv, qrels/test.tsv
Usage: financial_qa_prepare.py DATA_DIR OUT_DIR [SEED]"""
import csv, json, os, random, sys

data, out = sys.argv[1:3]
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 42
pairs, skipped = [], 0
seen = set()
for row in csv.DictReader(open(f"{data}/financial_qa_10k/Financial-QA-10k.csv", encoding="utf-8")):
    q, c = (row.get("question") or "").strip(), (row.get("context") or "").strip()
    if not q or not c:
        skipped += 1
        continue
    if (q, c) not in seen:
        seen.add((q, c))
        pairs.append((q, c))
contexts = sorted({c for _, c in pairs})
cid = {c: f"c{i}" for i, c in enumerate(contexts)}
questions = sorted({q for q, _ in pairs})
random.Random(seed).shuffle(questions)
n = len(questions)
split = {q: ("train" if i < 0.8 * n else "dev" if i < 0.9 * n else "test") for i, q in enumerate(questions)}
os.makedirs(f"{out}/beir/qrels", exist_ok=True)
with open(f"{out}/train.jsonl", "w", encoding="utf-8") as f:
    by_q = {}
    for q, c in pairs:
        if split[q] == "train":
            by_q.setdefault(q, []).append(c)
    for q, cs in by_q.items():
        f.write(json.dumps({"query": q, "pos": cs, "neg": []}, ensure_ascii=False) + "\n")
with open(f"{out}/corpus.txt", "w", encoding="utf-8") as f:
    for c in contexts:
        f.write(c.replace("\n", " ") + "\n")
with open(f"{out}/beir/corpus.jsonl", "w", encoding="utf-8") as f:
    for c in contexts:
        f.write(json.dumps({"_id": cid[c], "title": "", "text": c}, ensure_ascii=False) + "\n")
qid = {q: f"q{i}" for i, q in enumerate(sorted(questions))}
with open(f"{out}/beir/queries.jsonl", "w", encoding="utf-8") as f:
    for q in sorted(questions):
        if split[q] != "train":
            f.write(json.dumps({"_id": qid[q], "text": q}, ensure_ascii=False) + "\n")
for name in ("dev", "test"):
    with open(f"{out}/beir/qrels/{name}.tsv", "w", encoding="utf-8") as f:
        f.write("query-id\tcorpus-id\tscore\n")
        for q, c in pairs:
            if split[q] == name:
                f.write(f"{qid[q]}\t{cid[c]}\t1\n")
counts = {s: sum(1 for q in questions if split[q] == s) for s in ("train", "dev", "test")}
print(f"financial-qa-10K: {len(pairs)} pairs, {len(contexts)} contexts, questions {counts}; {skipped} rows skipped", file=sys.stderr)

"""Data for the notebooks' real runs (scripts/run-real.sh), from BEIR SciFact in ../shared/data:
  OUT/train.jsonl     one record per (claim, cited abstract) pair of the train split (919), FlagEmbedding's layout
                      {"query", "pos": [abstract]}, title + text; the first N with --max-train N
  OUT/corpus.txt      every abstract, one per line (the mining corpus)
  OUT/dev.json        the 300 test claims with their relevant abstracts, PaddleNLP's evaluation layout
                      {"query", "pos_passage": [...]}
  OUT/dev_neg.json    more abstracts for the evaluation corpus {"neg_passage": [...]}: with --dev-corpus N, random ones
                      (seeded) until the evaluation corpus holds N; without it, all the others (the full 5,183)
A sub-corpus makes each evaluation during training cheap enough for a notebook; its figures are therefore higher than
on the full corpus, and the notebooks say which one they used.
Usage: real-notebook-data.py SCIFACT_DIR OUT_DIR [--max-train N] [--dev-corpus N]"""
import argparse, json, os, random, sys

ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument("scifact")
ap.add_argument("out")
ap.add_argument("--max-train", type=int, default=0)
ap.add_argument("--dev-corpus", type=int, default=0)
a = ap.parse_args()
for name in ("corpus.jsonl", "queries.jsonl", "qrels/train.tsv", "qrels/test.tsv"):
    if not os.path.isfile(os.path.join(a.scifact, name)):
        sys.exit(f"{os.path.join(a.scifact, name)}: missing (expected BEIR SciFact: corpus.jsonl, queries.jsonl, qrels/)")

def jsonl(path):
    with open(path, encoding="utf-8-sig") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as e:
                    sys.exit(f"{path}, line {n}: not JSON ({e.msg})")

def qrels(path):
    pairs = []
    with open(path, encoding="utf-8-sig") as f:
        for n, line in enumerate(f, 1):
            parts = line.rstrip("\r\n").split("\t")
            if n == 1 and parts[0] == "query-id":
                continue
            if len(parts) != 3:
                sys.exit(f"{path}, line {n}: expected query-id<TAB>corpus-id<TAB>score")
            if int(parts[2]) > 0:
                pairs.append((parts[0], parts[1]))
    return pairs

corpus = {d["_id"]: (d.get("title", "") + " " + d["text"]).strip().replace("\n", " ") for d in jsonl(os.path.join(a.scifact, "corpus.jsonl"))}
queries = {q["_id"]: q["text"] for q in jsonl(os.path.join(a.scifact, "queries.jsonl"))}

def write(path, lines):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.writelines(json.dumps(x, ensure_ascii=False) + "\n" if not isinstance(x, str) else x + "\n" for x in lines)
    os.replace(tmp, path)

os.makedirs(a.out, exist_ok=True)
train = [{"query": queries[q], "pos": [corpus[d]]} for q, d in qrels(os.path.join(a.scifact, "qrels/train.tsv"))]
write(os.path.join(a.out, "train.jsonl"), train[: a.max_train] if a.max_train > 0 else train)
write(os.path.join(a.out, "corpus.txt"), list(corpus.values()))
relevant = {}
for q, d in qrels(os.path.join(a.scifact, "qrels/test.tsv")):
    relevant.setdefault(q, []).append(d)
write(os.path.join(a.out, "dev.json"), [{"query": queries[q], "pos_passage": [corpus[d] for d in docs]} for q, docs in relevant.items()])
used = {d for docs in relevant.values() for d in docs}
others = [d for d in corpus if d not in used]
if a.dev_corpus > 0:
    others = random.Random(42).sample(others, max(0, min(len(others), a.dev_corpus - len(used))))
write(os.path.join(a.out, "dev_neg.json"), [{"neg_passage": [corpus[d] for d in others[i:i + 100]]} for i in range(0, len(others), 100)])
print(f"{a.out}: train {min(len(train), a.max_train or len(train))} pairs, corpus {len(corpus)}, dev {len(relevant)} queries over {len(used) + len(others)} abstracts")

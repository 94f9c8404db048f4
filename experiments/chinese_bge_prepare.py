"""The query/pos/neg leg of the Chinese experiment (issue 30): text2vec's bge_finetune_data.jsonl (2,701 Chinese
query/pos/neg records) without what the evaluation reads. 239 of its texts are Chinese STS-B test sentences and 236
dev sentences (it is built from STS-style data), so a record whose query or positive is a sentence of Chinese STS-B
dev or test or of LCQMC test is dropped, and such a sentence is removed from the other records' negatives.
Writes OUT_DIR/bge-train.jsonl (FlagEmbedding's query/pos/neg; the negatives are replaced by mining afterwards) and
prints the counts. Usage: chinese_bge_prepare.py BGE_JSONL EVAL_DIR OUT_DIR   (EVAL_DIR: chinese_sentences.py's output)"""
import json
import os
import sys

source, eval_dir, out = sys.argv[1], sys.argv[2], sys.argv[3]
held_out = set()
for name in ["csts-dev.tsv", "csts-test.tsv", "lcqmc-test.tsv"]:
    with open(os.path.join(eval_dir, name), encoding="utf-8") as f:
        next(f)  # header
        for line in f:
            parts = line.rstrip("\n").split("\t")
            held_out.update(p.strip() for p in parts[:2])
kept, dropped, negatives_removed = [], 0, 0
with open(source, encoding="utf-8") as f:
    for number, line in enumerate(f, 1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
            if not isinstance(r.get("pos"), list) or not isinstance(r.get("neg", []), list):
                raise TypeError("pos and neg must be lists of strings")
            query, pos, neg = r["query"].strip(), [p.strip() for p in r["pos"]], [n.strip() for n in r.get("neg", [])]
        except (json.JSONDecodeError, KeyError, AttributeError, TypeError) as e:
            sys.exit(f"{source}:{number}: expected a JSON object with query, pos (list) and neg (list): {e}")
        if query in held_out or any(p in held_out for p in pos):
            dropped += 1
            continue
        clean = [n for n in neg if n not in held_out]
        negatives_removed += len(neg) - len(clean)
        kept.append({"query": query, "pos": pos, "neg": clean})
os.makedirs(out, exist_ok=True)
path = os.path.join(out, "bge-train.jsonl")
with open(path + ".tmp", "w", encoding="utf-8") as f:
    f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in kept)
os.replace(path + ".tmp", path)
print(f"{path}: {len(kept)} records; {dropped} dropped (query or positive in Chinese STS-B dev/test or LCQMC test), "
      f"{negatives_removed} negatives removed for the same reason")

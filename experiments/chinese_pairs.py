"""Scored Chinese pairs for supervised CoSENT (experiments/chinese.sh): Chinese STS-B train (scores 0-5) and AFQMC train
(labels 0/1) from ../shared/data/csts, as FlagEmbedding JSONL with the gold score in pos_scores and the source in
"type" ({"query": s1, "pos": [s2], "pos_scores": [score], "type": "sts-b" | "afqmc"}), so that CoSENT with
gold_scores and same_type_within_batch never orders an STS score against a 0/1 label. Train splits only; a malformed
line stops the run naming the file and line.
Usage: chinese_pairs.py CSTS_DIR OUT.jsonl"""
import json
import os
import sys

src, out = sys.argv[1], sys.argv[2]
records = []
for rel, kind in [("Chinese-STS-B/sts-b-train.txt", "sts-b"), ("AFQMC/train.txt", "afqmc")]:
    path = os.path.join(src, rel)
    for number, line in enumerate(open(path, encoding="utf-8"), 1):
        if not line.strip():
            continue
        parts = line.rstrip("\n").split("\t")
        if len(parts) != 3 or not parts[0].strip() or not parts[1].strip():
            sys.exit(f"{path}:{number}: expected sentence1<TAB>sentence2<TAB>score, found {len(parts)} columns")
        try:
            score = float(parts[2])
        except ValueError:
            sys.exit(f"{path}:{number}: score {parts[2]!r} is not a number")
        records.append({"query": parts[0].strip(), "pos": [parts[1].strip()], "pos_scores": [score], "type": kind})
os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
with open(out + ".tmp", "w", encoding="utf-8") as f:
    f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
os.replace(out + ".tmp", out)
print(f"{out}: {len(records)} scored pairs ({sum(r['type'] == 'sts-b' for r in records)} STS-B, {sum(r['type'] == 'afqmc' for r in records)} AFQMC)")

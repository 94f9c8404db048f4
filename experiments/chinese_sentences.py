"""Plain sentences for the Chinese unsupervised experiment (experiments/chinese_unsup.sh), from ../shared/data/csts:
every sentence of the train and dev splits of LCQMC (dev only: no train split is shipped), AFQMC and Chinese STS-B,
de-duplicated, one per line. Test splits are never read here (their sentences are the evaluation). Also copies the
evaluation files with a header line: csts-dev.tsv / csts-test.tsv (scored pairs), lcqmc-dev.tsv / lcqmc-test.tsv (0/1 pairs).
Usage: chinese_sentences.py CSTS_DIR OUT_DIR"""
import os
import sys

src, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
seen, sentences = set(), []
for rel in ["LCQMC/dev.txt", "AFQMC/train.txt", "AFQMC/dev.txt", "Chinese-STS-B/sts-b-train.txt", "Chinese-STS-B/sts-b-dev.txt"]:
    for line in open(os.path.join(src, rel), encoding="utf-8"):
        parts = line.rstrip("\n").split("\t")
        for s in parts[:2]:
            s = s.strip()
            if s and s not in seen:
                seen.add(s)
                sentences.append(s)
def write(name, lines):  # whole or not at all: a temporary file, then renamed
    path = os.path.join(out, name)
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.writelines(lines)
    os.replace(path + ".tmp", path)
write("sentences.txt", (s + "\n" for s in sentences))
for rel, name in [("Chinese-STS-B/sts-b-dev.txt", "csts-dev.tsv"), ("Chinese-STS-B/sts-b-test.txt", "csts-test.tsv"), ("LCQMC/dev.txt", "lcqmc-dev.tsv"),
                  ("LCQMC/test.txt", "lcqmc-test.tsv")]:
    rows = [line if line.endswith("\n") else line + "\n" for line in open(os.path.join(src, rel), encoding="utf-8") if line.strip()]
    write(name, ["sentence1\tsentence2\t" + ("score" if "sts" in rel else "label") + "\n"] + rows)
print(f"{out}: {len(sentences)} distinct train/dev sentences")

#!/usr/bin/env bash
# Rebuilds the tiny checkpoints in toy_data/ (tiny-bert, tiny-xlmr) used by tests and notebooks.
# Needs Debian's python3-sentencepiece (apt-get install python3-sentencepiece) for the XLM-R tokenizer;
# everything else is the kit's own `research model init`. Deterministic: same inputs, same bytes.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
corpus=$work/corpus.txt
spm_out=$PWD/toy_data/tiny-xlmr-spm
# The SentencePiece corpus: every toy text, one per line (training queries and passages, unsup sentences).
/usr/bin/python3 - "$corpus" <<'PY'
import json, sys
out = open(sys.argv[1], "w", encoding="utf-8")
seen = set()
def emit(t):
    t = t.strip()
    if t and t not in seen:
        seen.add(t); out.write(t + "\n")
for line in open("toy_data/toy_source.json", encoding="utf-8"):
    r = json.loads(line)
    for t in [r["query"], *r["pos"], *r["neg"]]: emit(t)
for line in open("toy_data/toy_unsup.txt", encoding="utf-8"): emit(line)
PY
mkdir -p toy_data/tiny-xlmr-spm
(cd "$work" && /usr/bin/python3 - "$spm_out" <<'PY'
import sys, sentencepiece as spm
# Unigram model like XLM-R's, with XLM-R's id layout (<unk>=0, <s>=1, </s>=2) and its nmt_nfkc normalization.
# Relative input path: the model records it, and a fixed name keeps the output byte-identical.
spm.SentencePieceTrainer.train(input="corpus.txt", model_prefix=sys.argv[1] + "/sentencepiece.bpe",
    vocab_size=1500, model_type="unigram", character_coverage=0.9995, normalization_rule_name="nmt_nfkc",
    unk_id=0, bos_id=1, eos_id=2, pad_id=-1, num_threads=1, shuffle_input_sentence=False, seed_sentencepiece_size=100000,
    minloglevel=2)
PY
)
rm -rf "$work" toy_data/tiny-xlmr-spm/sentencepiece.bpe.vocab
dotnet build src/Research.Cli -c Release -v quiet -nologo
research() { dotnet src/Research.Cli/bin/Release/net10.0/research.dll "$@"; }
rm -rf toy_data/tiny-bert toy_data/tiny-xlmr
research model init --arch bert --layers 2 --hidden 64 --heads 4 --seed 42 --pooling Cls \
  --vocab-from toy_data/toy_source.json toy_data/toy_dev.json toy_data/toy_unsup.txt --vocab-words 3000 \
  --out toy_data/tiny-bert
research model init --arch xlm-roberta --layers 2 --hidden 64 --heads 4 --seed 42 --pooling Cls \
  --spm toy_data/tiny-xlmr-spm/sentencepiece.bpe.model --out toy_data/tiny-xlmr
rm -rf toy_data/tiny-xlmr-spm

#!/usr/bin/env python3
"""Reference XLM-R ids from Google's sentencepiece (Debian's python3-sentencepiece), mapped to fairseq ids the
way Hugging Face's XLMRobertaTokenizer documents it: <s>=0 <pad>=1 </s>=2 <unk>=3, other pieces id + 1.
usage: spm_reference.py SPM_MODEL INPUT_JSON OUTPUT_JSON  (INPUT: ["text", ...]; OUTPUT: [[0, ..., 2], ...])"""
import json
import sys

import sentencepiece as spm

model, inp, out = sys.argv[1:4]
sp = spm.SentencePieceProcessor(model_file=model)
result = []
for text in json.load(open(inp, encoding="utf-8")):
    pieces = sp.encode(text, out_type=int)
    result.append([0] + [3 if p == sp.unk_id() else p + 1 for p in pieces] + [2])
json.dump(result, open(out, "w"))

#!/usr/bin/env python3
"""Python faiss (Debian python3-faiss) side of the index-file interoperability test.
usage: faiss_reference.py search INDEX QUERIES.f32 DIM K OUT.json   -> {"ids": [[...]], "scores": [[...]]}
       faiss_reference.py build DOCS.f32 DIM FACTORY OUT_INDEX       -> Flat/HNSW wrapped in IDMap2, ids 1000.."""
import json
import sys

import faiss
import numpy as np

cmd = sys.argv[1]
if cmd == "search":
    index = faiss.read_index(sys.argv[2])
    dim, k = int(sys.argv[4]), int(sys.argv[5])
    queries = np.fromfile(sys.argv[3], dtype=np.float32).reshape(-1, dim)
    scores, ids = index.search(queries, k)
    json.dump({"ids": ids.tolist(), "scores": scores.tolist(), "ntotal": index.ntotal}, open(sys.argv[6], "w"))
elif cmd == "build":
    dim = int(sys.argv[3])
    docs = np.fromfile(sys.argv[2], dtype=np.float32).reshape(-1, dim)
    index = faiss.IndexIDMap2(faiss.index_factory(dim, sys.argv[4], faiss.METRIC_INNER_PRODUCT))
    index.add_with_ids(docs, np.arange(1000, 1000 + len(docs), dtype=np.int64))
    faiss.write_index(index, sys.argv[5])

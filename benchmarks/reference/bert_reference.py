#!/usr/bin/env python3
"""Reference forward pass of a BERT-family encoder built from torch.nn building blocks (not from our code,
not from transformers): nn.Embedding + nn.LayerNorm + post-norm nn.TransformerEncoderLayer with GELU.
Loads the same model.safetensors (read here with the standard library + numpy) and encodes the same padded
batch. Used by the parity test and the throughput benchmark.

usage: bert_reference.py MODEL_DIR INPUT_JSON OUTPUT_JSON [--bench N | --train WARMUP | --simcse WARMUP] [--threads T]
INPUT_JSON: {"ids": [[...]], "mask": [[...]]} (right-padded); OUTPUT_JSON: {"hidden": [[[...]]]} or timings.
--train: INPUT_JSON is {"batches": [{"q_ids", "q_mask", "p_ids", "p_mask"}, ...]}; a plain training loop over them
(dropout as the config's hidden_dropout_prob, mean pooling, L2 normalization, in-batch InfoNCE at temperature 0.05,
AdamW lr 2e-5 / weight decay 0.01, clip_grad_norm_ 1.0, loss.item() every step) after WARMUP untimed steps on the
first batches; OUTPUT_JSON: {"seconds", "steps", "examples", ...}. Used by the train-throughput benchmark.
--simcse: INPUT_JSON is {"batches": [{"ids", "mask"}, ...]}; unsupervised SimCSE (Gao et al. 2021): each batch twice in
one forward pass with dropout on, mean pooling, cosine / 0.05 cross-entropy between the two views, AdamW lr 3e-5,
clip_grad_norm_ 1.0. Used by the simcse-throughput benchmark.
"""
import json
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        dtype = {"F32": np.float32, "F16": np.float16, "I64": np.int64}[info["dtype"]]
        out[name] = torch.from_numpy(np.frombuffer(data[b:e], dtype=dtype).reshape(info["shape"]).astype(np.float32 if dtype != np.int64 else np.int64).copy())
    return out


class Reference(nn.Module):
    def __init__(self, cfg, dropout=0.0):
        super().__init__()
        h = cfg["hidden_size"]
        self.roberta = cfg.get("model_type") in ("xlm-roberta", "roberta")
        self.pad = cfg.get("pad_token_id", 1 if self.roberta else 0)
        eps = cfg.get("layer_norm_eps", 1e-12)
        self.word = nn.Embedding(cfg["vocab_size"], h)
        self.pos = nn.Embedding(cfg["max_position_embeddings"], h)
        self.typ = nn.Embedding(cfg.get("type_vocab_size", 2), h)
        self.norm = nn.LayerNorm(h, eps=eps)
        act = cfg.get("hidden_act", "gelu")
        activation = "gelu" if act == "gelu" else (lambda x: F.gelu(x, approximate="tanh"))
        self.layers = nn.ModuleList([
            nn.TransformerEncoderLayer(h, cfg["num_attention_heads"], cfg["intermediate_size"], dropout=dropout,
                                       activation=activation, layer_norm_eps=eps, batch_first=True, norm_first=False)
            for _ in range(cfg["num_hidden_layers"])])

    def load(self, w):
        strip = lambda k: k.split(".", 1)[1] if k.startswith(("bert.", "roberta.")) else k
        w = {strip(k): v for k, v in w.items()}
        with torch.no_grad():
            self.word.weight.copy_(w["embeddings.word_embeddings.weight"])
            self.pos.weight.copy_(w["embeddings.position_embeddings.weight"])
            self.typ.weight.copy_(w["embeddings.token_type_embeddings.weight"])
            self.norm.weight.copy_(w["embeddings.LayerNorm.weight"])
            self.norm.bias.copy_(w["embeddings.LayerNorm.bias"])
            for i, layer in enumerate(self.layers):
                p = f"encoder.layer.{i}."
                a = p + "attention.self."
                layer.self_attn.in_proj_weight.copy_(torch.cat([w[a + n + ".weight"] for n in ("query", "key", "value")]))
                layer.self_attn.in_proj_bias.copy_(torch.cat([w[a + n + ".bias"] for n in ("query", "key", "value")]))
                layer.self_attn.out_proj.weight.copy_(w[p + "attention.output.dense.weight"])
                layer.self_attn.out_proj.bias.copy_(w[p + "attention.output.dense.bias"])
                layer.norm1.weight.copy_(w[p + "attention.output.LayerNorm.weight"])
                layer.norm1.bias.copy_(w[p + "attention.output.LayerNorm.bias"])
                layer.linear1.weight.copy_(w[p + "intermediate.dense.weight"])
                layer.linear1.bias.copy_(w[p + "intermediate.dense.bias"])
                layer.linear2.weight.copy_(w[p + "output.dense.weight"])
                layer.linear2.bias.copy_(w[p + "output.dense.bias"])
                layer.norm2.weight.copy_(w[p + "output.LayerNorm.weight"])
                layer.norm2.bias.copy_(w[p + "output.LayerNorm.bias"])

    def forward(self, ids, mask):
        if self.roberta:
            keep = (ids != self.pad).long()
            positions = torch.cumsum(keep, 1) * keep + self.pad
        else:
            positions = torch.arange(ids.shape[1]).unsqueeze(0).expand_as(ids)
        x = self.norm(self.word(ids) + self.pos(positions) + self.typ(torch.zeros_like(ids)))
        x = F.dropout(x, self.layers[0].dropout.p, self.training)
        for layer in self.layers:
            x = layer(x, src_key_padding_mask=(mask == 0))
        return x


def sgemm_gflops():
    a = torch.randn(1024, 1024)
    t = time.perf_counter()
    for _ in range(10):
        a @ a
    return 10 * 2 * 1024 ** 3 / (time.perf_counter() - t) / 1e9


def training_model(cfg, model_dir):
    model = Reference(cfg, dropout=cfg.get("hidden_dropout_prob", 0.1))
    model.load(read_safetensors(f"{model_dir}/model.safetensors"))
    model.train()
    return model


def mean_pooled(model, ids, mask):
    hidden = model(ids, mask)
    m = mask.unsqueeze(-1).to(hidden.dtype)
    return F.normalize((hidden * m).sum(1) / m.sum(1).clamp(min=1e-9), dim=-1)


def timed(step, batches, warmup, out, rows):
    """WARMUP untimed steps on the first batches, then every batch timed; writes OUTPUT_JSON."""
    for b in batches[:warmup]:
        step(b)
    start = time.perf_counter()
    for b in batches:
        step(b)
    seconds = time.perf_counter() - start
    json.dump({"seconds": seconds, "steps": len(batches), "examples": sum(len(b[rows]) for b in batches),
               "sgemm_gflops": sgemm_gflops(), "threads": torch.get_num_threads(), "torch": torch.__version__}, open(out, "w"))


def optimize(model, optimizer, loss):
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    return loss.item()


def train(cfg, model_dir, inp, out, warmup):
    model = training_model(cfg, model_dir)
    batches = [{k: torch.tensor(v) for k, v in b.items()} for b in json.load(open(inp))["batches"]]
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-5, weight_decay=0.01)

    def step(b):
        q, p = mean_pooled(model, b["q_ids"], b["q_mask"]), mean_pooled(model, b["p_ids"], b["p_mask"])
        return optimize(model, optimizer, F.cross_entropy(q @ p.T / 0.05, torch.arange(len(q))))

    timed(step, batches, warmup, out, "q_ids")


def simcse(cfg, model_dir, inp, out, warmup):
    model = training_model(cfg, model_dir)
    batches = [{k: torch.tensor(v) for k, v in b.items()} for b in json.load(open(inp))["batches"]]
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-5, weight_decay=0.0)

    def step(b):
        n = len(b["ids"])
        z = mean_pooled(model, torch.cat([b["ids"], b["ids"]]), torch.cat([b["mask"], b["mask"]]))
        return optimize(model, optimizer, F.cross_entropy(z[:n] @ z[n:].T / 0.05, torch.arange(n)))

    timed(step, batches, warmup, out, "ids")


def main():
    model_dir, inp, out = sys.argv[1:4]
    args = sys.argv[4:]
    threads = int(args[args.index("--threads") + 1]) if "--threads" in args else 0
    if threads:
        torch.set_num_threads(threads)
    cfg = json.load(open(f"{model_dir}/config.json"))
    if "--train" in args:
        return train(cfg, model_dir, inp, out, int(args[args.index("--train") + 1]))
    if "--simcse" in args:
        return simcse(cfg, model_dir, inp, out, int(args[args.index("--simcse") + 1]))
    model = Reference(cfg)
    model.load(read_safetensors(f"{model_dir}/model.safetensors"))
    # train() with dropout 0 keeps PyTorch off its nested-tensor fast path, so padded rows are computed too.
    model.train()
    batch = json.load(open(inp))
    ids, mask = torch.tensor(batch["ids"]), torch.tensor(batch["mask"])
    if "--bench" in args:
        n = int(args[args.index("--bench") + 1])
        with torch.no_grad():
            model(ids, mask)  # warm-up
            start = time.perf_counter()
            for _ in range(n):
                model(ids, mask)
            seconds = time.perf_counter() - start
        a = torch.randn(1024, 1024)
        t = time.perf_counter()
        for _ in range(10):
            a @ a
        gflops = 10 * 2 * 1024 ** 3 / (time.perf_counter() - t) / 1e9
        json.dump({"seconds": seconds, "batches": n, "sgemm_gflops": gflops, "threads": torch.get_num_threads(),
                   "torch": torch.__version__}, open(out, "w"))
        return
    with torch.no_grad():
        hidden = model(ids, mask)
    json.dump({"hidden": hidden.tolist(), "torch": torch.__version__}, open(out, "w"))


if __name__ == "__main__":
    main()

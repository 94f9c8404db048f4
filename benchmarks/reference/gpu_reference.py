"""The reference side of the kit's `gpu` benchmark (benchmarks/Research.Benchmarks/GpuBenchmark.cs): one measurement per
process, the same model folder, texts and settings as the kit's side, printing {"rate": ...} as its last line.

encode: sentence-transformers' SentenceTransformer.encode (it sorts by length as the kit does), max_seq_length 128,
        the model loaded in the requested dtype (torch_dtype); the second of two full passes is timed; sentences/s.
train:  a plain PyTorch loop as a user writes it: HF fast tokenizer (queries 64, passages 256 tokens), AutoModel,
        mean pooling, L2 normalization, in-batch InfoNCE (temperature 0.05), backward, clip_grad_norm_(1.0), AdamW
        (lr 1e-5, weight decay 0.01), loss.item() every step; bf16/fp16 under torch.autocast (fp16 with GradScaler);
        --warmup steps (the benchmark passes 15), then steps/s.
"""
import argparse
import json
import time

import torch

DTYPES = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}


def encode(a):
    from sentence_transformers import SentenceTransformer
    texts = [line.rstrip("\n") for line in open(a.texts, encoding="utf-8")]
    model = SentenceTransformer(a.model, device=a.device, model_kwargs={"torch_dtype": DTYPES[a.precision]})
    model.max_seq_length = 128
    model.encode(texts, batch_size=a.batch, convert_to_numpy=True)  # warm-up: a whole pass (every padded length once)
    torch.cuda.synchronize()
    start = time.perf_counter()
    model.encode(texts, batch_size=a.batch, convert_to_numpy=True)
    torch.cuda.synchronize()
    return len(texts) / (time.perf_counter() - start)


def train(a):
    from transformers import AutoModel, AutoTokenizer
    records = [json.loads(line) for line in open(a.pairs, encoding="utf-8") if line.strip()]
    pairs = [(r["query"], r["pos"][0]) for r in records]
    tokenizer = AutoTokenizer.from_pretrained(a.model)
    model = AutoModel.from_pretrained(a.model).to(a.device).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5, weight_decay=0.01)
    scaler = torch.amp.GradScaler("cuda", enabled=a.precision == "fp16")
    autocast = torch.autocast("cuda", dtype=DTYPES[a.precision], enabled=a.precision != "fp32")

    def embed(texts, max_length):
        batch = tokenizer(texts, padding=True, truncation=True, max_length=max_length, return_tensors="pt").to(a.device)
        hidden = model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled.float(), dim=-1)

    def step(i):
        chunk = [pairs[(i * a.batch + j) % len(pairs)] for j in range(a.batch)]
        with autocast:
            q = embed([c[0] for c in chunk], 64)
            p = embed([c[1] for c in chunk], 256)
            scores = q @ p.T / 0.05
            loss = torch.nn.functional.cross_entropy(scores, torch.arange(len(chunk), device=a.device))
        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        scaler.step(optimizer)
        scaler.update()
        optimizer.zero_grad(set_to_none=True)
        return loss.item()

    for i in range(a.warmup):
        step(i)
    torch.cuda.synchronize()
    start = time.perf_counter()
    for i in range(a.steps):
        step(a.warmup + i)
    torch.cuda.synchronize()
    return a.steps / (time.perf_counter() - start)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--task", choices=["encode", "train"], required=True)
    p.add_argument("--precision", choices=list(DTYPES), default="fp32")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--model", required=True)
    p.add_argument("--texts")
    p.add_argument("--pairs")
    p.add_argument("--device", default="cuda")
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--warmup", type=int, default=15)
    a = p.parse_args()
    rate = encode(a) if a.task == "encode" else train(a)
    print(json.dumps({"rate": rate, "torch": torch.__version__, "peak_allocated_mib": torch.cuda.max_memory_allocated() / 2**20}))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
# PyTorch reference for `npm run bench:train`: the same nanoGPT-style GPT and the same full training step
# (forward, backward, global-norm clip, AdamW) on one thread, printing one JSON line per model with tokens/s.
"""Usage: bench_torch.py --model L,H,D,T,B [--model ...] [--seconds S] [--threads N]

Needs Debian's python3-torch (and libopenblas0-pthread). Never needed at run time.
"""
import argparse
import json
import math
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d: int, h: int):
        super().__init__()
        self.h = h
        self.ln_1 = nn.LayerNorm(d)
        self.c_attn = nn.Linear(d, 3 * d)
        self.c_proj = nn.Linear(d, d)
        self.ln_2 = nn.LayerNorm(d)
        self.c_fc = nn.Linear(d, 4 * d)
        self.mlp_proj = nn.Linear(4 * d, d)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, T, C = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(C, dim=2)
        q, k, v = (t.view(B, T, self.h, C // self.h).transpose(1, 2) for t in (q, k, v))
        # Written out (not scaled_dot_product_attention) as nanoGPT's fallback path and Loupe's engine do.
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        mask = torch.ones(T, T, dtype=torch.bool).tril()
        att = att.masked_fill(~mask, float('-inf')).softmax(dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        x = x + self.c_proj(y)
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate='tanh'))


class GPT(nn.Module):
    def __init__(self, n_layer: int, n_head: int, d: int, block: int, vocab: int = 256):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.wpe = nn.Embedding(block, d)
        self.blocks = nn.ModuleList(Block(d, n_head) for _ in range(n_layer))
        self.ln_f = nn.LayerNorm(d)
        for p in self.parameters():
            if p.dim() == 2:
                nn.init.normal_(p, 0.0, 0.02)

    def forward(self, idx: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        T = idx.shape[1]
        x = self.wte(idx) + self.wpe(torch.arange(T))
        for b in self.blocks:
            x = b(x)
        logits = self.ln_f(x) @ self.wte.weight.t()  # tied head
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


def bench(n_layer: int, n_head: int, d: int, T: int, B: int, seconds: float) -> dict:
    torch.manual_seed(1337)
    model = GPT(n_layer, n_head, d, T)
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW(
        [{'params': decay, 'weight_decay': 0.1}, {'params': no_decay, 'weight_decay': 0.0}],
        lr=1e-3, betas=(0.9, 0.99),
    )
    g = torch.Generator().manual_seed(0)

    def step() -> float:
        x = torch.randint(0, 256, (B, T), generator=g)
        y = torch.randint(0, 256, (B, T), generator=g)
        loss = model(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss.item()

    for _ in range(3):
        step()
    steps, t0, c0 = 0, time.perf_counter(), time.process_time()
    times = []
    while True:
        s0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - s0)
        steps += 1
        if time.perf_counter() - t0 >= seconds and steps >= 5:
            break
    elapsed = time.perf_counter() - t0
    cpu = time.process_time() - c0
    times.sort()
    return {
        'model': f'{n_layer},{n_head},{d},{T},{B}',
        'params': sum(p.numel() for p in model.parameters()),
        'steps': steps,
        'tokens_per_s': B * T * steps / elapsed,
        # Per second of this process's CPU time: less sensitive to other load on a shared machine.
        'cpu_tokens_per_s': B * T * steps / cpu,
        'median_step_ms': 1000 * times[len(times) // 2],
        'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        'threads': torch.get_num_threads(),
        'torch': torch.__version__,
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument('--model', action='append', required=True, help='n_layer,n_head,d_model,block,batch')
    ap.add_argument('--seconds', type=float, default=10.0)
    ap.add_argument('--threads', type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    for m in args.model:
        L, H, D, T, B = (int(v) for v in m.split(','))
        print(json.dumps(bench(L, H, D, T, B, args.seconds)), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())

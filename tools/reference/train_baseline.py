#!/usr/bin/env python3
# Trains Loupe's default baseline recipe in PyTorch on the same bytes and split, and prints the final val loss:
# nanoGPT's CPU recipe (4 layers, 4 heads, d 128, block 64, batch 12, 2000 iters, AdamW 1e-3 -> 1e-4 cosine,
# warmup 100, beta2 0.99, wd 0.1, clip 1.0, dropout 0) on byte-level Moby-Dick, split 90/10 contiguous, with the
# same fixed validation batches as src/main/engine/data/dataset.ts. Run with Debian's /usr/bin/python3 (python3-torch).
import argparse
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gpt_reference import decays, forward, learning_rate, param_shapes  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
CORPUS = os.path.join(ROOT, 'node_modules', '@stdlib', 'datasets-moby-dick', 'data', 'data.txt')


def init_gpt2(c, seed):
    """nanoGPT's init: N(0, 0.02), residual projections N(0, 0.02/sqrt(2 n_layer)), LayerNorm 1/0, biases 0."""
    g = torch.Generator().manual_seed(seed)
    params = {}
    for name, shape in param_shapes(c):
        if name.endswith('ln_1.weight') or name.endswith('ln_2.weight') or name.endswith('ln_f.weight'):
            t = torch.ones(shape)
        elif name.endswith('.bias'):
            t = torch.zeros(shape)
        else:
            std = 0.02 / math.sqrt(2 * c['n_layer']) if name.endswith('c_proj.weight') else 0.02
            t = torch.randn(shape, generator=g) * std
        params[name] = t.requires_grad_(True)
    return params


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--steps', type=int, default=2000)
    ap.add_argument('--seed', type=int, default=1337)
    ap.add_argument('--threads', type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    c = dict(vocab_size=256, block_size=64, n_layer=4, n_head=4, d_model=128)
    t = dict(steps=args.steps, lr=1e-3, min_lr=1e-4, warmup_steps=100, beta1=0.9, beta2=0.99, eps=1e-8,
             weight_decay=0.1, grad_clip=1.0)
    batch, T, eval_batches = 12, c['block_size'], 20

    with open(CORPUS, 'rb') as f:
        data = torch.tensor(list(f.read()), dtype=torch.long)
    n_val = int(len(data) * 0.1)
    train, val = data[: len(data) - n_val], data[len(data) - n_val:]

    # Fixed validation batches, evenly spaced over the validation split (as Dataset.valBatches).
    n = eval_batches * batch
    span = len(val) - T - 1
    starts = [(i * span) // (n - 1) for i in range(n)]
    vx = torch.stack([val[s:s + T] for s in starts])
    vy = torch.stack([val[s + 1:s + 1 + T] for s in starts])

    params = init_gpt2(c, args.seed)
    names = list(params)
    groups = [
        {'params': [params[k] for k in names if decays(k, params[k].shape)], 'weight_decay': t['weight_decay']},
        {'params': [params[k] for k in names if not decays(k, params[k].shape)], 'weight_decay': 0.0},
    ]
    opt = torch.optim.AdamW(groups, lr=t['lr'], betas=(t['beta1'], t['beta2']), eps=t['eps'])
    gen = torch.Generator().manual_seed(args.seed)

    def evaluate():
        with torch.no_grad():
            losses = [F.cross_entropy(forward(params, vx[i:i + batch], c).reshape(-1, 256), vy[i:i + batch].reshape(-1))
                      for i in range(0, n, batch)]
        return float(torch.stack(losses).mean())

    print(f'params {sum(p.numel() for p in params.values())}; train {len(train)} val {len(val)} tokens; '
          f'step 0 val {evaluate():.4f}', flush=True)
    t0 = time.time()
    for step in range(t['steps']):
        ix = torch.randint(len(train) - T, (batch,), generator=gen)
        x = torch.stack([train[i:i + T] for i in ix])
        y = torch.stack([train[i + 1:i + 1 + T] for i in ix])
        lr = learning_rate(step, t)
        for g in opt.param_groups:
            g['lr'] = lr
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(forward(params, x, c).reshape(-1, 256), y.reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_([params[k] for k in names], t['grad_clip'])
        opt.step()
        if (step + 1) % 250 == 0 or step + 1 == t['steps']:
            el = time.time() - t0
            print(f'step {step + 1} train {float(loss):.4f} val {evaluate():.4f} '
                  f'({(step + 1) * batch * T / el:.0f} tokens/s)', flush=True)
    print(f'final val loss {evaluate():.4f} after {t["steps"]} steps ({time.time() - t0:.0f} s)')


if __name__ == '__main__':
    main()

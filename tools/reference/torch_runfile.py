#!/usr/bin/env python3
"""Writes src/main/external/fixtures/torch-loop.jsonl: a real PyTorch training loop logged with resources/loupe_logger.py.

A byte-level MLP language model (context 8) trained with AdamW on Loupe's own README for 120 steps, with
train/loss, lr, pre-clip grad norm, clipped flag and val loss every 40 steps; a checkpoint state at step 80;
then the job "crashes" and is resumed from that checkpoint (a second logger appends to the same file, steps go
back to 81) and runs to 160. Run from the repository root with Debian's python3-torch: /usr/bin/python3 tools/reference/torch_runfile.py
"""
import math
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "resources"))
from loupe_logger import LoupeLogger  # noqa: E402

OUT = os.path.join("src", "main", "external", "fixtures", "torch-loop.jsonl")
CONFIG = {"max_steps": 160, "lr": 3e-3, "grad_clip": 1.0, "batch_size": 32, "context": 8}

data = torch.tensor(list(open("README.md", "rb").read()), dtype=torch.long)
split = int(len(data) * 0.9)
train, val = data[:split], data[split:]


def batch(src, gen):
    ix = torch.randint(0, len(src) - 9, (32,), generator=gen)
    x = torch.stack([src[i : i + 8] for i in ix])
    y = torch.stack([src[i + 8] for i in ix])
    return x, y


def model_and_opt():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Embedding(256, 16), torch.nn.Flatten(), torch.nn.Linear(128, 128), torch.nn.GELU(), torch.nn.Linear(128, 256))
    return model, torch.optim.AdamW(model.parameters(), lr=CONFIG["lr"])


def lr_at(step):
    warm = 10
    if step <= warm:
        return CONFIG["lr"] * step / warm
    t = (step - warm) / (CONFIG["max_steps"] - warm)
    return 3e-4 + 0.5 * (CONFIG["lr"] - 3e-4) * (1 + math.cos(math.pi * t))


def run(first, last, log, model, opt, gen, save_at=None):
    saved = None
    for step in range(first, last + 1):
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        x, y = batch(train, gen)
        loss = torch.nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), CONFIG["grad_clip"])
        opt.step()
        log.metrics(step, {"train/loss": loss, "train/lr": lr_at(step), "train/grad_norm": norm, "train/clipped": float(norm > CONFIG["grad_clip"])})
        if step % 40 == 0:
            with torch.no_grad():
                vg = torch.Generator().manual_seed(1)
                vl = sum(torch.nn.functional.cross_entropy(model(xv), yv).item() for xv, yv in (batch(val, vg) for _ in range(4))) / 4
            log.metric(step, "val/loss", vl)
        if step == save_at:
            saved = ({k: v.clone() for k, v in model.state_dict().items()}, opt.state_dict(), gen.get_state())
    return saved


if os.path.exists(OUT):
    os.remove(OUT)
model, opt = model_and_opt()
gen = torch.Generator().manual_seed(0)
log = LoupeLogger(OUT, name="torch-mlp-readme", config=CONFIG)
state = run(1, 120, log, model, opt, gen, save_at=80)
log.close("crashed", "simulated node failure")

model, opt = model_and_opt()
model.load_state_dict(state[0])
opt.load_state_dict(state[1])
gen.set_state(state[2])
with LoupeLogger(OUT, name="torch-mlp-readme", config=CONFIG) as log:
    run(81, 160, log, model, opt, gen)
print("wrote", OUT)

#!/usr/bin/env python3
"""__NAME__: a plain PyTorch training script for the recipe of Loupe run __RUN_ID__.

Same recipe as in Loupe: GPT-2 (learned positions, LayerNorm, GELU-tanh MLP 4x, tied embeddings, init N(0, 0.02)
with residual projections scaled by 1/sqrt(2 n_layer)), AdamW with weight decay on 2-D weights only, linear
warmup then cosine to min_lr, global-norm clipping, and the same tokens: data/tokens.bin is the corpus as Loupe
tokenized it (__TOKENIZER__, vocab __VOCAB__), split 90/10 the same way, validated on the same fixed batches.

    python train.py [--steps N]                       # one process, CPU or one GPU
    torchrun --nproc_per_node=8 train.py              # DistributedDataParallel, one process per GPU

Metrics are written on rank 0 to runs/__FILE_NAME__.jsonl by loupe_logger.py; follow them live with
`loupe watch runs/` (or "Watch a run..." in the app). Checkpoints go to checkpoints/step-N/ in the Hugging Face
GPT-2 layout (config.json + model.safetensors).
"""
import argparse
import json
import math
import os
import struct
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from loupe_logger import LoupeLogger

# The run's resolved Loupe config: change the recipe here.
CONFIG = json.loads(r"""__CONFIG_JSON__""")
VOCAB_SIZE = __VOCAB__
TOKEN_DTYPE = "__TOKEN_DTYPE__"
HERE = os.path.dirname(os.path.abspath(__file__))


class Block(nn.Module):
    def __init__(self, d, n_head, dropout, bias):
        super().__init__()
        self.n_head = n_head
        self.ln_1 = nn.LayerNorm(d, eps=CONFIG["model"].get("norm_eps", 1e-5))
        self.c_attn = nn.Linear(d, 3 * d, bias=bias)
        self.attn_proj = nn.Linear(d, d, bias=bias)
        self.ln_2 = nn.LayerNorm(d, eps=CONFIG["model"].get("norm_eps", 1e-5))
        if not bias:  # bias: false keeps LayerNorm biases at zero (older PyTorch has no LayerNorm(bias=False))
            self.ln_1.bias.requires_grad_(False)
            self.ln_2.bias.requires_grad_(False)
        self.c_fc = nn.Linear(d, 4 * d, bias=bias)
        self.mlp_proj = nn.Linear(4 * d, d, bias=bias)
        self.dropout = nn.Dropout(dropout)
        self.p_drop = dropout

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(C, dim=2)
        q, k, v = [t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v)]
        if hasattr(F, "scaled_dot_product_attention"):  # PyTorch >= 2.0: the fused kernel
            y = F.scaled_dot_product_attention(q, k, v, dropout_p=self.p_drop if self.training else 0.0, is_causal=True)
        else:
            att = (q @ k.transpose(-2, -1)) / math.sqrt(k.shape[-1])
            att = att.masked_fill(torch.ones(T, T, dtype=torch.bool, device=x.device).triu(1), float("-inf")).softmax(-1)
            y = F.dropout(att, self.p_drop, self.training) @ v
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        x = x + self.dropout(self.attn_proj(y))
        x = x + self.dropout(self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh")))
        return x


class GPT(nn.Module):
    def __init__(self, m):
        super().__init__()
        d = m["d_model"]
        self.wte = nn.Embedding(VOCAB_SIZE, d)
        self.wpe = nn.Embedding(m["block_size"], d)
        self.drop = nn.Dropout(m["dropout"])
        self.h = nn.ModuleList([Block(d, m["n_head"], m["dropout"], m["bias"]) for _ in range(m["n_layer"])])
        self.ln_f = nn.LayerNorm(d, eps=CONFIG["model"].get("norm_eps", 1e-5))
        self.lm_head = nn.Linear(d, VOCAB_SIZE, bias=False)
        if m["tie_embeddings"]:
            self.lm_head.weight = self.wte.weight
        for name, p in self.named_parameters():
            if name.endswith("bias"):
                nn.init.zeros_(p)
            elif ".ln_" in name or name.startswith("ln_f"):
                nn.init.ones_(p)
            else:
                std = 0.02 / math.sqrt(2 * m["n_layer"]) if name.endswith("_proj.weight") else 0.02
                nn.init.normal_(p, 0.0, std)

    def forward(self, idx):
        T = idx.shape[1]
        x = self.drop(self.wte(idx) + self.wpe(torch.arange(T, device=idx.device)))
        for block in self.h:
            x = block(x)
        return self.lm_head(self.ln_f(x))


def learning_rate(step, t):
    """Linear warmup, then the decay Loupe uses; `step` counts updates from 0."""
    if step < t["warmup_steps"]:
        return t["lr"] * (step + 1) / t["warmup_steps"]
    progress = min(1.0, (step - t["warmup_steps"]) / max(1, t["steps"] - t["warmup_steps"]))
    if t["schedule"] == "constant":
        return t["lr"]
    if t["schedule"] == "linear":
        return t["lr"] + (t["min_lr"] - t["lr"]) * progress
    if t["schedule"] == "wsd":
        start = max(t["warmup_steps"], round(t["steps"] * (1 - t["wsd_decay_fraction"])))
        return t["lr"] if step < start else t["lr"] + (t["min_lr"] - t["lr"]) * min(1.0, (step - start) / max(1, t["steps"] - start))
    return t["min_lr"] + 0.5 * (1 + math.cos(math.pi * progress)) * (t["lr"] - t["min_lr"])


def load_tokens():
    raw = open(os.path.join(HERE, "data", "tokens.bin"), "rb").read()
    fmt = "H" if TOKEN_DTYPE == "uint16" else "i"
    tokens = torch.tensor(struct.unpack("<%d%s" % (len(raw) // struct.calcsize(fmt), fmt), raw), dtype=torch.long)
    n_val = int(len(tokens) * CONFIG["data"]["val_fraction"])
    train = tokens[: len(tokens) - n_val]
    return train[: int(len(train) * CONFIG["data"]["train_fraction"])], tokens[len(tokens) - n_val :]


def save_checkpoint(model, step, m):
    """A Hugging Face GPT-2 folder (GPT2LMHeadModel names; its Conv1D weights are [in, out], so Linear weights transpose)."""
    out = os.path.join(HERE, "checkpoints", "step-%08d" % step)
    os.makedirs(out, exist_ok=True)
    tensors = {"transformer.wte.weight": model.wte.weight, "transformer.wpe.weight": model.wpe.weight}
    for i, b in enumerate(model.h):
        p = "transformer.h.%d." % i
        for hf, mod, transpose in (("ln_1", b.ln_1, False), ("attn.c_attn", b.c_attn, True), ("attn.c_proj", b.attn_proj, True),
                                   ("ln_2", b.ln_2, False), ("mlp.c_fc", b.c_fc, True), ("mlp.c_proj", b.mlp_proj, True)):
            tensors[p + hf + ".weight"] = mod.weight.t() if transpose else mod.weight
            tensors[p + hf + ".bias"] = mod.bias if mod.bias is not None else torch.zeros(mod.weight.shape[0])
    tensors["transformer.ln_f.weight"], tensors["transformer.ln_f.bias"] = model.ln_f.weight, model.ln_f.bias
    if not m["tie_embeddings"]:
        tensors["lm_head.weight"] = model.lm_head.weight
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().float().contiguous().cpu().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    head = json.dumps(header).encode()
    head += b" " * (-len(head) % 8)
    with open(os.path.join(out, "model.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(head)) + head + b"".join(blobs))
    hf = {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "vocab_size": VOCAB_SIZE, "n_positions": m["block_size"],
          "n_ctx": m["block_size"], "n_embd": m["d_model"], "n_layer": m["n_layer"], "n_head": m["n_head"], "n_inner": None,
          "activation_function": "gelu_new", "layer_norm_epsilon": 1e-5, "tie_word_embeddings": m["tie_embeddings"],
          "resid_pdrop": m["dropout"], "embd_pdrop": m["dropout"], "attn_pdrop": m["dropout"], "torch_dtype": "float32"}
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(hf, f, indent=2)
    with open(os.path.join(HERE, "data", "loupe_tokenizer.json")) as src, open(os.path.join(out, "loupe_tokenizer.json"), "w") as dst:
        dst.write(src.read())  # so Loupe's playground decodes the tokens as the run encoded them
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=CONFIG["train"]["steps"], help="optimizer steps (the recipe's by default)")
    ap.add_argument("--run-file", default=os.path.join(HERE, "runs", "__FILE_NAME__.jsonl"), help="where metrics are logged")
    ap.add_argument("--threads", type=int, default=0, help="CPU threads (0: PyTorch's default)")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    m, t, ev = CONFIG["model"], dict(CONFIG["train"], steps=args.steps), CONFIG["eval"]

    # torchrun sets RANK / LOCAL_RANK / WORLD_SIZE; a plain `python train.py` is one process.
    ddp = int(os.environ.get("WORLD_SIZE", "1")) > 1
    if ddp:
        torch.distributed.init_process_group(backend="nccl" if torch.cuda.is_available() else "gloo")
        rank, world = torch.distributed.get_rank(), torch.distributed.get_world_size()
        local = int(os.environ.get("LOCAL_RANK", "0"))
        device = "cuda:%d" % local if torch.cuda.is_available() else "cpu"
        if device.startswith("cuda"):
            torch.cuda.set_device(device)
    else:
        rank, world = 0, 1
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if t["batch_size"] % world:
        raise SystemExit("batch_size %d is not divisible by the %d processes" % (t["batch_size"], world))
    per_rank = t["batch_size"] // world
    micro = per_rank if CONFIG["train"]["micro_batch_size"] == "auto" else min(per_rank, CONFIG["train"]["micro_batch_size"])
    accum = math.ceil(per_rank / micro)

    torch.manual_seed(CONFIG["seed"])  # the same init on every rank
    train, val = load_tokens()
    T = m["block_size"]
    model = GPT(m).to(device)
    # Weight decay on 2-D weights only: not on norms, biases or embeddings.
    params = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    decay = [p for n, p in params if p.dim() == 2 and n not in ("wte.weight", "wpe.weight")]
    no_decay = [p for n, p in params if not (p.dim() == 2 and n not in ("wte.weight", "wpe.weight"))]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": t["weight_decay"]}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=t["lr"], betas=(t["beta1"], t["beta2"]), eps=t["eps"])
    net = torch.nn.parallel.DistributedDataParallel(model, device_ids=[int(device.split(":")[1])] if device.startswith("cuda:") else None) if ddp else model
    gen = torch.Generator().manual_seed(CONFIG["seed"] + rank)  # each rank draws its own batches

    # Loupe's fixed validation batches: evenly spaced over the validation split.
    n = ev["batches"] * t["batch_size"]
    span = len(val) - T - 1
    starts = [0] if n == 1 else [(i * span) // (n - 1) for i in range(n)]
    vx = torch.stack([val[s : s + T] for s in starts])
    vy = torch.stack([val[s + 1 : s + 1 + T] for s in starts])

    def evaluate():
        model.eval()
        with torch.no_grad():
            losses = [F.cross_entropy(model(vx[i : i + t["batch_size"]].to(device)).flatten(0, 1), vy[i : i + t["batch_size"]].to(device).flatten())
                      for i in range(0, n, t["batch_size"])]
        model.train()
        return float(torch.stack(losses).mean())

    def loss_of(x, y):
        logits = net(x)
        loss = F.cross_entropy(logits.flatten(0, 1), y.flatten(), label_smoothing=t["label_smoothing"])
        if t["z_loss"] > 0:
            loss = loss + t["z_loss"] * torch.logsumexp(logits.float(), dim=-1).pow(2).mean()
        return loss

    log = LoupeLogger(args.run_file, name="__NAME__", config=dict(CONFIG, train=t))
    tokens_per_update = t["batch_size"] * T
    with log:
        t0 = time.time()
        for step in range(t["steps"]):
            t_step = time.time()
            lr = learning_rate(step, t)
            for g in opt.param_groups:
                g["lr"] = lr
            opt.zero_grad(set_to_none=True)
            total = 0.0
            for a in range(accum):
                ix = torch.randint(len(train) - T, (min(micro, per_rank - a * micro),), generator=gen)
                x = torch.stack([train[i : i + T] for i in ix]).to(device)
                y = torch.stack([train[i + 1 : i + 1 + T] for i in ix]).to(device)
                if ddp:
                    net.require_backward_grad_sync = a == accum - 1  # all-reduce once, on the last micro-batch
                loss = loss_of(x, y) * (len(ix) / per_rank)
                loss.backward()
                total += float(loss)
            if ddp:  # the logged loss is the mean over all ranks (gloo has no AVG: sum, then divide)
                total_t = torch.tensor(total, device=device)
                torch.distributed.all_reduce(total_t, op=torch.distributed.ReduceOp.SUM)
                total = float(total_t) / world
            clip = t["grad_clip"] if t["grad_clip"] > 0 else float("inf")
            norm = float(torch.nn.utils.clip_grad_norm_(model.parameters(), clip))
            opt.step()
            done = step + 1
            ms = (time.time() - t_step) * 1000
            log.metrics(done, {"train/loss": total, "train/lr": lr, "train/grad_norm": norm, "train/clipped": float(norm > clip),
                               "train/step_ms": ms, "train/tokens_per_s": tokens_per_update / max(ms / 1000, 1e-9),
                               "train/tokens_seen": done * tokens_per_update})
            if rank == 0 and (done % ev["every"] == 0 or done == t["steps"]):
                v = evaluate()
                log.metrics(done, {"val/loss": v, "val/ppl": math.exp(min(v, 50))})
                print("step %d  train %.4f  val %.4f  (%.0f tokens/s)" % (done, total, v, done * tokens_per_update / (time.time() - t0)), flush=True)
            if rank == 0 and (done % CONFIG["checkpoint"]["every"] == 0 or done == t["steps"]):
                log.checkpoint(done, save_checkpoint(model, done, m))
    if ddp:
        torch.distributed.destroy_process_group()


if __name__ == "__main__":
    main()

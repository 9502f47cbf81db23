#!/usr/bin/env python3
# Writes the PyTorch parity fixtures for Loupe's GPT (tools/reference/fixtures/): fixed seeded weights of a tiny
# GPT-2, one input batch with its logits, loss and gradients, and the losses of 10 AdamW steps with clipping and
# the warmup+cosine schedule. Needs Debian's python3-torch (run with /usr/bin/python3); never needed at run time.
import json
import math
import os
import struct
import sys

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'fixtures')

# Tiny, but every piece is exercised: 2 layers, 2 heads, biases, tied embeddings.
CFG = dict(vocab_size=32, block_size=8, n_layer=2, n_head=2, d_model=16)
BATCH = 4
TRAIN = dict(steps=10, lr=1e-2, min_lr=1e-3, warmup_steps=3, beta1=0.9, beta2=0.95, eps=1e-8,
             weight_decay=0.1, grad_clip=1.3)


def param_shapes(c):
    d, out = c['d_model'], []
    out.append(('transformer.wte.weight', [c['vocab_size'], d]))
    out.append(('transformer.wpe.weight', [c['block_size'], d]))
    for i in range(c['n_layer']):
        p = f'transformer.h.{i}.'
        out += [(p + 'ln_1.weight', [d]), (p + 'ln_1.bias', [d]),
                (p + 'attn.c_attn.weight', [d, 3 * d]), (p + 'attn.c_attn.bias', [3 * d]),
                (p + 'attn.c_proj.weight', [d, d]), (p + 'attn.c_proj.bias', [d]),
                (p + 'ln_2.weight', [d]), (p + 'ln_2.bias', [d]),
                (p + 'mlp.c_fc.weight', [d, 4 * d]), (p + 'mlp.c_fc.bias', [4 * d]),
                (p + 'mlp.c_proj.weight', [4 * d, d]), (p + 'mlp.c_proj.bias', [d])]
    out += [('transformer.ln_f.weight', [d]), ('transformer.ln_f.bias', [d])]
    return out


def init_params(c, seed=0):
    """Larger-than-usual random weights so gradients are not tiny and every term matters."""
    g = torch.Generator().manual_seed(seed)
    params = {}
    for name, shape in param_shapes(c):
        r = torch.randn(shape, generator=g)
        if name.endswith('ln_1.weight') or name.endswith('ln_2.weight') or name.endswith('ln_f.weight'):
            t = 1 + 0.1 * r
        elif name.endswith('.bias'):
            t = 0.05 * r
        else:
            t = 0.1 * r
        params[name] = t.float().requires_grad_(True)
    return params


def forward(params, idx, c):
    """GPT-2 exactly as Hugging Face computes it (Conv1D: x @ W + b; gelu_new; LayerNorm eps 1e-5)."""
    B, T = idx.shape
    d, H = c['d_model'], c['n_head']
    hd = d // H
    x = params['transformer.wte.weight'][idx] + params['transformer.wpe.weight'][:T]
    mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
    for i in range(c['n_layer']):
        p = f'transformer.h.{i}.'
        h = F.layer_norm(x, (d,), params[p + 'ln_1.weight'], params[p + 'ln_1.bias'], 1e-5)
        qkv = h @ params[p + 'attn.c_attn.weight'] + params[p + 'attn.c_attn.bias']
        q, k, v = qkv.split(d, dim=2)
        q, k, v = [t.view(B, T, H, hd).transpose(1, 2) for t in (q, k, v)]
        att = (q @ k.transpose(-2, -1)) / math.sqrt(hd)
        att = att.masked_fill(~mask, float('-inf')).softmax(-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, d)
        x = x + y @ params[p + 'attn.c_proj.weight'] + params[p + 'attn.c_proj.bias']
        h = F.layer_norm(x, (d,), params[p + 'ln_2.weight'], params[p + 'ln_2.bias'], 1e-5)
        h = F.gelu(h @ params[p + 'mlp.c_fc.weight'] + params[p + 'mlp.c_fc.bias'], approximate='tanh')
        x = x + h @ params[p + 'mlp.c_proj.weight'] + params[p + 'mlp.c_proj.bias']
    x = F.layer_norm(x, (d,), params['transformer.ln_f.weight'], params['transformer.ln_f.bias'], 1e-5)
    # An untied head is HF's lm_head.weight ([vocab, d], nn.Linear layout).
    return x @ params.get('lm_head.weight', params['transformer.wte.weight']).t()


def learning_rate(step, t):
    """Same formula as src/main/engine/optim/schedule.ts (cosine)."""
    if step < t['warmup_steps']:
        return t['lr'] * (step + 1) / t['warmup_steps']
    progress = min(1.0, (step - t['warmup_steps']) / max(1, t['steps'] - t['warmup_steps']))
    return t['min_lr'] + 0.5 * (1 + math.cos(math.pi * progress)) * (t['lr'] - t['min_lr'])


def decays(name, shape):
    return name.endswith('.weight') and len(shape) == 2 and '.wte.' not in name and '.wpe.' not in name


def write_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, t in tensors.items():
        data = t.detach().contiguous().float().numpy().astype('<f4').tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * ((8 - (8 + len(h)) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def batch(gen, c):
    x = torch.randint(0, c['vocab_size'], (BATCH, c['block_size']), generator=gen)
    y = torch.randint(0, c['vocab_size'], (BATCH, c['block_size']), generator=gen)
    return x, y


def r6(v):
    return [float(f'{x:.8g}') for x in v]


def main():
    torch.manual_seed(0)
    os.makedirs(OUT, exist_ok=True)
    c = CFG
    params = init_params(c)
    write_safetensors(os.path.join(OUT, 'gpt_tiny_weights.safetensors'), params)

    gen = torch.Generator().manual_seed(1)
    x, y = batch(gen, c)
    logits = forward(params, x, c)
    loss = F.cross_entropy(logits.view(-1, c['vocab_size']), y.view(-1))
    loss.backward()
    grads = {n: r6(p.grad.flatten().tolist()) for n, p in params.items()}

    # 10 AdamW steps, a fresh batch each, with clipping and warmup + cosine.
    t = TRAIN
    train_params = init_params(c)
    names = list(train_params)
    groups = [
        {'params': [train_params[n] for n in names if decays(n, train_params[n].shape)], 'weight_decay': t['weight_decay']},
        {'params': [train_params[n] for n in names if not decays(n, train_params[n].shape)], 'weight_decay': 0.0},
    ]
    opt = torch.optim.AdamW(groups, lr=t['lr'], betas=(t['beta1'], t['beta2']), eps=t['eps'])
    batches, losses, norms, lrs, clipped = [], [], [], [], []
    for step in range(t['steps']):
        bx, by = batch(gen, c)
        batches.append({'x': bx.flatten().tolist(), 'y': by.flatten().tolist()})
        lr = learning_rate(step, t)
        for g in opt.param_groups:
            g['lr'] = lr
        opt.zero_grad(set_to_none=True)
        l = F.cross_entropy(forward(train_params, bx, c).view(-1, c['vocab_size']), by.view(-1))
        l.backward()
        norm = float(torch.nn.utils.clip_grad_norm_([train_params[n] for n in names], t['grad_clip']))
        opt.step()
        losses.append(float(l))
        norms.append(norm)
        lrs.append(lr)
        clipped.append(norm > t['grad_clip'])
    with torch.no_grad():
        final_loss = float(F.cross_entropy(forward(train_params, x, c).view(-1, c['vocab_size']), y.view(-1)))

    fixture = {
        'about': 'Written by tools/reference/gpt_reference.py with torch ' + torch.__version__,
        'model': c,
        'batch': BATCH,
        'x': x.flatten().tolist(),
        'y': y.flatten().tolist(),
        'logits': r6(logits.detach().flatten().tolist()),
        'loss': float(loss),
        'grads': grads,
        'train': t,
        'trajectory': {'batches': batches, 'losses': losses, 'grad_norms': norms, 'lrs': lrs, 'clipped': clipped,
                       'final_loss_on_first_batch': final_loss},
    }
    with open(os.path.join(OUT, 'gpt_tiny.json'), 'w') as f:
        json.dump(fixture, f, separators=(',', ':'))
    print(f'loss {float(loss):.6f}; trajectory {[round(v, 4) for v in losses]}; clipped {sum(clipped)}/{len(clipped)}',
          file=sys.stderr)


if __name__ == '__main__':
    main()

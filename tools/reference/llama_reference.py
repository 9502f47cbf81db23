#!/usr/bin/env python3
# Writes the PyTorch parity fixtures for Loupe's LLaMA family and Muon optimizer (tools/reference/fixtures/):
# fixed weights of two tiny LLaMA models (GQA + untied head; MHA + tied head) with a batch, its logits, loss and
# every gradient; 3 Muon steps on fixed matrices and gradients; 3 full training steps (Muon on hidden matrices,
# AdamW on the rest). Plain torch 1.13 (Debian python3-torch, /usr/bin/python3): RMSNorm, RoPE, SwiGLU and Muon
# are written out here, after karpathy/llama2.c model.py, HF modeling_llama.py and KellerJordan/Muon muon.py.
import json
import math
import os
import struct
import sys

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'fixtures')

MODELS = {
    # Grouped-query attention (4 query heads share 2 key/value heads), untied head, a non-default eps and theta.
    'gqa': dict(vocab_size=32, block_size=8, n_layer=2, n_head=4, n_kv_head=2, d_model=16, multiple_of=32,
                norm_eps=1e-5, rope_theta=10000.0, tie_embeddings=False),
    # Plain multi-head attention, tied head, a hidden width given explicitly and a smaller theta.
    'mha': dict(vocab_size=32, block_size=8, n_layer=2, n_head=2, n_kv_head=2, d_model=16, mlp_hidden=24,
                norm_eps=1e-6, rope_theta=500.0, tie_embeddings=True),
}
BATCH = 3


def swiglu_hidden(d, multiple_of):
    """llama2.c: 2/3 of 4d, rounded up to a multiple of multiple_of."""
    h = int(2 * (4 * d) / 3)
    return multiple_of * ((h + multiple_of - 1) // multiple_of)


def hidden_of(c):
    return c.get('mlp_hidden') or swiglu_hidden(c['d_model'], c['multiple_of'])


def param_shapes(c):
    """LlamaForCausalLM names and shapes (nn.Linear weights are [out, in])."""
    d, hd = c['d_model'], c['d_model'] // c['n_head']
    kv, hidden = c['n_kv_head'] * hd, hidden_of(c)
    out = [('model.embed_tokens.weight', [c['vocab_size'], d])]
    for i in range(c['n_layer']):
        p = f'model.layers.{i}.'
        out += [(p + 'input_layernorm.weight', [d]),
                (p + 'self_attn.q_proj.weight', [d, d]),
                (p + 'self_attn.k_proj.weight', [kv, d]),
                (p + 'self_attn.v_proj.weight', [kv, d]),
                (p + 'self_attn.o_proj.weight', [d, d]),
                (p + 'post_attention_layernorm.weight', [d]),
                (p + 'mlp.gate_proj.weight', [hidden, d]),
                (p + 'mlp.up_proj.weight', [hidden, d]),
                (p + 'mlp.down_proj.weight', [d, hidden])]
    out.append(('model.norm.weight', [d]))
    if not c['tie_embeddings']:
        out.append(('lm_head.weight', [c['vocab_size'], d]))
    return out


def is_norm(name):
    return name.endswith('layernorm.weight') or name == 'model.norm.weight'


def init_params(c, seed):
    """Larger-than-usual random weights so gradients are not tiny and every term matters."""
    g = torch.Generator().manual_seed(seed)
    params = {}
    for name, shape in param_shapes(c):
        r = torch.randn(shape, generator=g)
        params[name] = (1 + 0.1 * r if is_norm(name) else 0.2 * r).float().requires_grad_(True)
    return params


def rms_norm(x, w, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def rope_cos_sin(T, hd, theta, start=0):
    """HF LlamaRotaryEmbedding: frequencies for the first half repeated for the second half."""
    inv_freq = 1.0 / (theta ** (torch.arange(0, hd, 2).float() / hd))
    t = torch.arange(start, start + T).float()
    freqs = torch.outer(t, inv_freq)
    emb = torch.cat([freqs, freqs], dim=-1)
    return emb.cos(), emb.sin()


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], dim=-1)


def apply_rope(x, cos, sin):
    return x * cos + rotate_half(x) * sin


def forward(params, idx, c):
    """LLaMA exactly as HF LlamaForCausalLM computes it in fp32 (no biases, pre-RMSNorm, RoPE, SwiGLU, GQA)."""
    B, T = idx.shape
    d, H, KV = c['d_model'], c['n_head'], c['n_kv_head']
    hd, eps = d // H, c['norm_eps']
    cos, sin = rope_cos_sin(T, hd, c['rope_theta'])
    mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
    x = params['model.embed_tokens.weight'][idx]
    for i in range(c['n_layer']):
        p = f'model.layers.{i}.'
        h = rms_norm(x, params[p + 'input_layernorm.weight'], eps)
        q = (h @ params[p + 'self_attn.q_proj.weight'].t()).view(B, T, H, hd).transpose(1, 2)
        k = (h @ params[p + 'self_attn.k_proj.weight'].t()).view(B, T, KV, hd).transpose(1, 2)
        v = (h @ params[p + 'self_attn.v_proj.weight'].t()).view(B, T, KV, hd).transpose(1, 2)
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        # HF repeat_kv: query head j reads key/value head j // (H / KV).
        k = k.repeat_interleave(H // KV, dim=1)
        v = v.repeat_interleave(H // KV, dim=1)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(hd)
        att = att.masked_fill(~mask, float('-inf')).softmax(-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, d)
        x = x + y @ params[p + 'self_attn.o_proj.weight'].t()
        h = rms_norm(x, params[p + 'post_attention_layernorm.weight'], eps)
        gate = F.silu(h @ params[p + 'mlp.gate_proj.weight'].t())
        x = x + (gate * (h @ params[p + 'mlp.up_proj.weight'].t())) @ params[p + 'mlp.down_proj.weight'].t()
    x = rms_norm(x, params['model.norm.weight'], eps)
    return x @ params.get('lm_head.weight', params['model.embed_tokens.weight']).t()


# ---- Muon, after KellerJordan/Muon muon.py, in fp32 ----

NS_COEFFS = (3.4445, -4.7750, 2.0315)


def newton_schulz5(G, steps):
    a, b, c = NS_COEFFS
    X = G.float()
    tall = G.size(-2) > G.size(-1)
    if tall:
        X = X.t()
    X = X / (X.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.t()
        Bm = b * A + c * A @ A
        X = a * X + Bm @ X
    if tall:
        X = X.t()
    return X


def muon_step(p, grad, buf, lr, momentum, nesterov, ns_steps, weight_decay):
    """One Muon update of p ([out, in], torch layout) in place; buf is the momentum buffer."""
    buf.lerp_(grad, 1 - momentum)
    update = grad.lerp(buf, momentum) if nesterov else buf.clone()
    update = newton_schulz5(update, ns_steps)
    update = update * max(1, p.size(-2) / p.size(-1)) ** 0.5
    p.mul_(1 - lr * weight_decay)
    p.add_(update, alpha=-lr)


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


def r8(t):
    return [float(f'{x:.8g}') for x in t.detach().flatten().tolist()]


def model_fixture(key, c, seed):
    params = init_params(c, seed)
    write_safetensors(os.path.join(OUT, f'llama_{key}_weights.safetensors'), params)
    gen = torch.Generator().manual_seed(seed + 100)
    x = torch.randint(0, c['vocab_size'], (BATCH, c['block_size']), generator=gen)
    y = torch.randint(0, c['vocab_size'], (BATCH, c['block_size']), generator=gen)
    logits = forward(params, x, c)
    loss = F.cross_entropy(logits.view(-1, c['vocab_size']), y.view(-1))
    loss.backward()
    return {
        'model': {**c, 'mlp_hidden': hidden_of(c)},
        'batch': BATCH,
        'x': x.flatten().tolist(),
        'y': y.flatten().tolist(),
        'logits': r8(logits),
        'loss': float(loss),
        'grads': {n: r8(p.grad) for n, p in params.items()},
    }


MUON = dict(lr=0.02, momentum=0.95, ns_steps=5, weight_decay=0.1)
# Square, wide ([out, in] with out < in: no transpose, no scale), tall (transposed, scaled by √(out/in)).
MUON_SHAPES = {'square': [8, 8], 'wide': [6, 10], 'tall': [12, 5]}


def muon_fixture():
    g = torch.Generator().manual_seed(7)
    cases = []
    for nesterov in (True, False):
        weights = {k: torch.randn(s, generator=g) * 0.3 for k, s in MUON_SHAPES.items()}
        grads = [{k: torch.randn(s, generator=g) for k, s in MUON_SHAPES.items()} for _ in range(3)]
        params = {k: w.clone() for k, w in weights.items()}
        bufs = {k: torch.zeros_like(w) for k, w in weights.items()}
        after = []
        for step in range(3):
            for k in params:
                muon_step(params[k], grads[step][k].clone(), bufs[k], MUON['lr'], MUON['momentum'], nesterov,
                          MUON['ns_steps'], MUON['weight_decay'])
            after.append({k: r8(p) for k, p in params.items()})
        cases.append({
            'nesterov': nesterov,
            'weights': {k: r8(w) for k, w in weights.items()},
            'grads': [{k: r8(t) for k, t in gs.items()} for gs in grads],
            'after': after,
            'momentum_after': {k: r8(b) for k, b in bufs.items()},
        })
    # Newton–Schulz alone on one matrix: its singular values land near 1 (in roughly [0.7, 1.2]).
    G = torch.randn(6, 10, generator=g)
    return {'settings': MUON, 'shapes': MUON_SHAPES, 'cases': cases,
            'ns': {'g': r8(G), 'shape': [6, 10], 'out': r8(newton_schulz5(G, 5))}}


TRAIN = dict(steps=3, lr=3e-3, beta1=0.9, beta2=0.95, eps=1e-8, weight_decay=0.1, grad_clip=1.0,
             muon=dict(lr=0.02, momentum=0.95, nesterov=True, ns_steps=5, weight_decay=0.1))


def muon_role(name, shape):
    """Muon takes the 2-D hidden matrices; embeddings, the head and norms stay on AdamW."""
    return len(shape) == 2 and name.startswith('model.layers.')


def adamw_decays(name, shape):
    """Decay on 2-D weights that are not embeddings (the untied head decays, as in Loupe's gpt)."""
    return len(shape) == 2 and name != 'model.embed_tokens.weight'


def training_fixture(c, seed):
    """3 steps, constant lr, global clipping: Muon on hidden matrices, torch.optim.AdamW on the rest."""
    t = TRAIN
    params = init_params(c, seed)
    names = list(params)
    muon_names = [n for n in names if muon_role(n, params[n].shape)]
    adam_names = [n for n in names if n not in muon_names]
    groups = [
        {'params': [params[n] for n in adam_names if adamw_decays(n, params[n].shape)], 'weight_decay': t['weight_decay']},
        {'params': [params[n] for n in adam_names if not adamw_decays(n, params[n].shape)], 'weight_decay': 0.0},
    ]
    adam = torch.optim.AdamW([g for g in groups if g['params']], lr=t['lr'], betas=(t['beta1'], t['beta2']), eps=t['eps'])
    bufs = {n: torch.zeros_like(params[n]) for n in muon_names}
    gen = torch.Generator().manual_seed(seed + 200)
    batches, losses, norms = [], [], []
    for _ in range(t['steps']):
        bx = torch.randint(0, c['vocab_size'], (BATCH, c['block_size']), generator=gen)
        by = torch.randint(0, c['vocab_size'], (BATCH, c['block_size']), generator=gen)
        batches.append({'x': bx.flatten().tolist(), 'y': by.flatten().tolist()})
        adam.zero_grad(set_to_none=True)
        for n in muon_names:
            params[n].grad = None
        loss = F.cross_entropy(forward(params, bx, c).view(-1, c['vocab_size']), by.view(-1))
        loss.backward()
        norms.append(float(torch.nn.utils.clip_grad_norm_([params[n] for n in names], t['grad_clip'])))
        losses.append(float(loss))
        adam.step()
        m = t['muon']
        with torch.no_grad():
            for n in muon_names:
                muon_step(params[n], params[n].grad.clone(), bufs[n], m['lr'], m['momentum'], m['nesterov'],
                          m['ns_steps'], m['weight_decay'])
    return {'train': t, 'batches': batches, 'losses': losses, 'grad_norms': norms,
            'params_after': {n: r8(p) for n, p in params.items()}}


def main():
    torch.manual_seed(0)
    os.makedirs(OUT, exist_ok=True)
    models = {key: model_fixture(key, c, seed) for seed, (key, c) in enumerate(MODELS.items(), start=1)}
    fixture = {
        'about': 'Written by tools/reference/llama_reference.py with torch ' + torch.__version__,
        'models': models,
        'muon': muon_fixture(),
        'training': training_fixture(MODELS['gqa'], 1),
    }
    path = os.path.join(OUT, 'llama_tiny.json')
    with open(path, 'w') as f:
        json.dump(fixture, f, separators=(',', ':'))
    for key, m in models.items():
        print(f'{key}: loss {m["loss"]:.6f}, mlp_hidden {m["model"]["mlp_hidden"]}', file=sys.stderr)
    print(f'training losses {[round(v, 5) for v in fixture["training"]["losses"]]}; '
          f'{os.path.getsize(path)} bytes', file=sys.stderr)


if __name__ == '__main__':
    main()

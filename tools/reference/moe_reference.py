#!/usr/bin/env python3
# Writes the PyTorch parity fixtures for Loupe's mixture-of-experts MLP (tools/reference/fixtures/moe_tiny.json and
# moe_<key>_weights.safetensors): tiny gpt and llama models with MoE blocks, fixed weights, a batch, its logits, the
# cross-entropy, the load-balancing and router z-losses, the objective and every gradient of it. Routing as OLMoE's
# modeling_olmoe.py with norm_topk_prob false (softmax over all experts, top-k of the probabilities kept as weights,
# tokens dispatched to their experts one expert at a time), the losses as DESIGN.md §3 defines them. Plain torch
# 1.13 (Debian python3-torch, /usr/bin/python3), fp32. The router weights are drawn large enough that every token's
# k-th and (k+1)-th probabilities are well apart, so no implementation can pick different experts.
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from llama_reference import apply_rope, r8, rms_norm, rope_cos_sin, write_safetensors  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'fixtures')
BATCH = 3
BALANCE_WEIGHT = 0.01
Z_WEIGHT = 0.001
# The smallest gap allowed between a token's k-th and (k+1)-th router probability (fp32 noise is ~1e-7).
MIN_GAP = 1e-4

MODELS = {
    # GPT-2 blocks with biases, tied head, 4 experts, top-2.
    'gpt': dict(family='gpt', vocab_size=32, block_size=8, n_layer=2, n_head=2, d_model=16, mlp_hidden=24,
                experts=4, top_k=2, tie_embeddings=True),
    # LLaMA with grouped-query attention, untied head, 4 experts, top-2.
    'llama': dict(family='llama', vocab_size=32, block_size=8, n_layer=2, n_head=4, n_kv_head=2, d_model=16,
                  mlp_hidden=24, experts=4, top_k=2, norm_eps=1e-5, rope_theta=10000.0, tie_embeddings=False),
    # LLaMA, plain multi-head, tied head, 3 experts, top-1.
    'llama_top1': dict(family='llama', vocab_size=32, block_size=8, n_layer=2, n_head=2, n_kv_head=2, d_model=16,
                       mlp_hidden=20, experts=3, top_k=1, norm_eps=1e-5, rope_theta=10000.0, tie_embeddings=True),
}


def gpt_shapes(c):
    """Loupe's gpt names: GPT2LMHeadModel's (Conv1D weights [in, out]) with mlp.router and mlp.experts.<e>."""
    d, hidden, V, T = c['d_model'], c['mlp_hidden'], c['vocab_size'], c['block_size']
    out = [('transformer.wte.weight', [V, d]), ('transformer.wpe.weight', [T, d])]
    for i in range(c['n_layer']):
        p = f'transformer.h.{i}.'
        out += [(p + 'ln_1.weight', [d]), (p + 'ln_1.bias', [d]),
                (p + 'attn.c_attn.weight', [d, 3 * d]), (p + 'attn.c_attn.bias', [3 * d]),
                (p + 'attn.c_proj.weight', [d, d]), (p + 'attn.c_proj.bias', [d]),
                (p + 'ln_2.weight', [d]), (p + 'ln_2.bias', [d]),
                (p + 'mlp.router.weight', [d, c['experts']])]
        for e in range(c['experts']):
            q = f'{p}mlp.experts.{e}.'
            out += [(q + 'c_fc.weight', [d, hidden]), (q + 'c_fc.bias', [hidden]),
                    (q + 'c_proj.weight', [hidden, d]), (q + 'c_proj.bias', [d])]
    out += [('transformer.ln_f.weight', [d]), ('transformer.ln_f.bias', [d])]
    if not c['tie_embeddings']:
        out.append(('lm_head.weight', [V, d]))
    return out


def llama_shapes(c):
    """OLMoE's names for the MoE MLP (mlp.gate [E, d], mlp.experts.<e>.*_proj) in a LlamaForCausalLM body."""
    d, hd, hidden, V = c['d_model'], c['d_model'] // c['n_head'], c['mlp_hidden'], c['vocab_size']
    kv = c['n_kv_head'] * hd
    out = [('model.embed_tokens.weight', [V, d])]
    for i in range(c['n_layer']):
        p = f'model.layers.{i}.'
        out += [(p + 'input_layernorm.weight', [d]),
                (p + 'self_attn.q_proj.weight', [d, d]),
                (p + 'self_attn.k_proj.weight', [kv, d]),
                (p + 'self_attn.v_proj.weight', [kv, d]),
                (p + 'self_attn.o_proj.weight', [d, d]),
                (p + 'post_attention_layernorm.weight', [d]),
                (p + 'mlp.gate.weight', [c['experts'], d])]
        for e in range(c['experts']):
            q = f'{p}mlp.experts.{e}.'
            out += [(q + 'gate_proj.weight', [hidden, d]), (q + 'up_proj.weight', [hidden, d]),
                    (q + 'down_proj.weight', [d, hidden])]
    out.append(('model.norm.weight', [d]))
    if not c['tie_embeddings']:
        out.append(('lm_head.weight', [V, d]))
    return out


def is_router(name):
    return name.endswith('mlp.router.weight') or name.endswith('mlp.gate.weight')


def init_params(c, seed):
    g = torch.Generator().manual_seed(seed)
    params = {}
    for name, shape in (gpt_shapes(c) if c['family'] == 'gpt' else llama_shapes(c)):
        r = torch.randn(shape, generator=g)
        norm = ('ln_' in name or 'layernorm' in name or name.endswith('norm.weight')) and len(shape) == 1 and name.endswith('weight')
        scale = 1.0 if is_router(name) else 0.2
        params[name] = (1 + 0.1 * r if norm else scale * r).float().requires_grad_(True)
    return params


class NearTie(Exception):
    pass


def moe_mlp(h, router_logits_of, expert, E, k):
    """OLMoE's sparse MoE block: softmax, top-k of the probabilities (not renormalised), per-expert dispatch."""
    logits = router_logits_of(h)
    probs = logits.softmax(-1)
    weights, selected = torch.topk(probs, k, dim=-1)
    top = probs.sort(-1, descending=True).values
    if k < E:
        gap = float((top[:, k - 1] - top[:, k]).min())
        if gap <= MIN_GAP:
            raise NearTie(gap)
    out = torch.zeros_like(h)
    for e in range(E):
        tok, slot = torch.where(selected == e)
        if tok.numel():
            out = out.index_add(0, tok, expert(e, h[tok]) * weights[tok, slot, None])
    mask = F.one_hot(selected, E).sum(1).float()
    load = mask.mean(0) / k
    if bool((load == 0).any()):
        raise NearTie(0.0)  # an idle expert would leave its gradients untested
    balance = E * (load * probs.mean(0)).sum()
    z = torch.logsumexp(logits, -1).pow(2).mean()
    return out, balance, z, load


def gpt_forward(params, idx, c):
    B, T = idx.shape
    d, H, E, k = c['d_model'], c['n_head'], c['experts'], c['top_k']
    hd = d // H
    x = params['transformer.wte.weight'][idx] + params['transformer.wpe.weight'][:T]
    mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
    stats = []
    for i in range(c['n_layer']):
        p = f'transformer.h.{i}.'
        h = F.layer_norm(x, (d,), params[p + 'ln_1.weight'], params[p + 'ln_1.bias'], 1e-5)
        qkv = h @ params[p + 'attn.c_attn.weight'] + params[p + 'attn.c_attn.bias']
        q, kk, v = [t.view(B, T, H, hd).transpose(1, 2) for t in qkv.split(d, dim=2)]
        att = ((q @ kk.transpose(-2, -1)) / math.sqrt(hd)).masked_fill(~mask, float('-inf')).softmax(-1)
        x = x + (att @ v).transpose(1, 2).reshape(B, T, d) @ params[p + 'attn.c_proj.weight'] + params[p + 'attn.c_proj.bias']
        h = F.layer_norm(x, (d,), params[p + 'ln_2.weight'], params[p + 'ln_2.bias'], 1e-5).reshape(B * T, d)

        def expert(e, t, p=p):
            q = f'{p}mlp.experts.{e}.'
            a = F.gelu(t @ params[q + 'c_fc.weight'] + params[q + 'c_fc.bias'], approximate='tanh')
            return a @ params[q + 'c_proj.weight'] + params[q + 'c_proj.bias']

        y, balance, z, load = moe_mlp(h, lambda t, p=p: t @ params[p + 'mlp.router.weight'], expert, E, k)
        stats.append((balance, z, load))
        x = x + y.view(B, T, d)
    x = F.layer_norm(x, (d,), params['transformer.ln_f.weight'], params['transformer.ln_f.bias'], 1e-5)
    return x @ params.get('lm_head.weight', params['transformer.wte.weight']).t(), stats


def llama_forward(params, idx, c):
    B, T = idx.shape
    d, H, KV, E, k = c['d_model'], c['n_head'], c['n_kv_head'], c['experts'], c['top_k']
    hd, eps = d // H, c['norm_eps']
    cos, sin = rope_cos_sin(T, hd, c['rope_theta'])
    mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
    x = params['model.embed_tokens.weight'][idx]
    stats = []
    for i in range(c['n_layer']):
        p = f'model.layers.{i}.'
        h = rms_norm(x, params[p + 'input_layernorm.weight'], eps)
        q = (h @ params[p + 'self_attn.q_proj.weight'].t()).view(B, T, H, hd).transpose(1, 2)
        kk = (h @ params[p + 'self_attn.k_proj.weight'].t()).view(B, T, KV, hd).transpose(1, 2)
        v = (h @ params[p + 'self_attn.v_proj.weight'].t()).view(B, T, KV, hd).transpose(1, 2)
        q, kk = apply_rope(q, cos, sin), apply_rope(kk, cos, sin)
        kk, v = kk.repeat_interleave(H // KV, dim=1), v.repeat_interleave(H // KV, dim=1)
        att = ((q @ kk.transpose(-2, -1)) / math.sqrt(hd)).masked_fill(~mask, float('-inf')).softmax(-1)
        x = x + (att @ v).transpose(1, 2).reshape(B, T, d) @ params[p + 'self_attn.o_proj.weight'].t()
        h = rms_norm(x, params[p + 'post_attention_layernorm.weight'], eps).reshape(B * T, d)

        def expert(e, t, p=p):
            q = f'{p}mlp.experts.{e}.'
            a = F.silu(t @ params[q + 'gate_proj.weight'].t()) * (t @ params[q + 'up_proj.weight'].t())
            return a @ params[q + 'down_proj.weight'].t()

        y, balance, z, load = moe_mlp(h, lambda t, p=p: t @ params[p + 'mlp.gate.weight'].t(), expert, E, k)
        stats.append((balance, z, load))
        x = x + y.view(B, T, d)
    x = rms_norm(x, params['model.norm.weight'], eps)
    return x @ params.get('lm_head.weight', params['model.embed_tokens.weight']).t(), stats


def model_fixture(key, c, seed):
    # The first seed (counting up from `seed`) whose routing has no near-tie and no idle expert on the batch.
    while True:
        params = init_params(c, seed)
        gen = torch.Generator().manual_seed(seed + 100)
        x = torch.randint(0, c['vocab_size'], (BATCH, c['block_size']), generator=gen)
        y = torch.randint(0, c['vocab_size'], (BATCH, c['block_size']), generator=gen)
        try:
            logits, stats = (gpt_forward if c['family'] == 'gpt' else llama_forward)(params, x, c)
            break
        except NearTie:
            seed += 1000
    write_safetensors(os.path.join(OUT, f'moe_{key}_weights.safetensors'), params)
    ce = F.cross_entropy(logits.view(-1, c['vocab_size']), y.view(-1))
    # Means over blocks, so the weights do not scale with depth.
    balance = torch.stack([s[0] for s in stats]).mean()
    z = torch.stack([s[1] for s in stats]).mean()
    total = ce + BALANCE_WEIGHT * balance + Z_WEIGHT * z
    total.backward()
    return {
        'model': c,
        'seed': seed,
        'batch': BATCH,
        'x': x.flatten().tolist(),
        'y': y.flatten().tolist(),
        'logits': r8(logits),
        'ce': float(ce),
        'balance': float(balance),
        'z': float(z),
        'total': float(total),
        'load': [r8(s[2]) for s in stats],
        'grads': {n: r8(p.grad) for n, p in params.items()},
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    models = {key: model_fixture(key, c, seed) for seed, (key, c) in enumerate(MODELS.items(), start=11)}
    fixture = {
        'about': 'Written by tools/reference/moe_reference.py with torch ' + torch.__version__,
        'weights': {'balance': BALANCE_WEIGHT, 'z': Z_WEIGHT},
        'models': models,
    }
    path = os.path.join(OUT, 'moe_tiny.json')
    with open(path, 'w') as f:
        json.dump(fixture, f, separators=(',', ':'))
    for key, m in models.items():
        print(f'{key}: ce {m["ce"]:.6f} balance {m["balance"]:.6f} z {m["z"]:.6f} load {m["load"]}', file=sys.stderr)
    print(f'{os.path.getsize(path)} bytes', file=sys.stderr)


if __name__ == '__main__':
    main()

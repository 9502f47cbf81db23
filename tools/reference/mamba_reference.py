#!/usr/bin/env python3
# Writes the PyTorch parity fixtures for Loupe's mamba and hybrid families (tools/reference/fixtures/): fixed weights
# of tiny models in Loupe's checkpoint layout (MambaForCausalLM names for mamba; LLaMA's frame with Mamba and
# attention layers for hybrid), a batch, its logits, loss and every gradient. The selective scan here is the
# sequential recurrence, one position at a time, as johnma2006/mamba-minimal writes it: the ground truth Loupe's
# chunked scan and fused kernel are compared with. Plain torch 1.13 (Debian python3-torch), fp32.
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

from llama_reference import apply_rope, r8, rms_norm, rope_cos_sin, write_safetensors

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'fixtures')

MODELS = {
    # Every option set away from its default, untied head, two chunks of Loupe's scan (T 20 > 16).
    'mamba_small': dict(family='mamba', vocab_size=24, block_size=20, n_layer=2, d_model=16, d_state=4, d_conv=3,
                        expand=2, dt_rank=3, norm_eps=1e-5, tie_embeddings=False),
    # Mamba-1's defaults (d_state 16, d_conv 4, expand 2, dt_rank ⌈d/16⌉ = 1), tied head.
    'mamba_default': dict(family='mamba', vocab_size=24, block_size=20, n_layer=2, d_model=16, norm_eps=1e-6,
                          tie_embeddings=True),
    # Mamba, attention, Mamba: LLaMA attention blocks (RoPE, SwiGLU) between Mamba blocks, tied head.
    'hybrid': dict(family='hybrid', vocab_size=24, block_size=12, n_layer=3, d_model=16, n_head=2, layers='MAM',
                   d_state=4, norm_eps=1e-5, tie_embeddings=True),
}
BATCH = 2


def dims(c):
    d = c['d_model']
    return dict(I=c.get('expand', 2) * d, N=c.get('d_state', 16), K=c.get('d_conv', 4),
                R=c.get('dt_rank', math.ceil(d / 16)))


def swiglu_hidden(d):
    return 32 * ((int(8 * d / 3) + 31) // 32)


def mamba_shapes(prefix, c):
    """A Mamba block's parameters under a prefix, as HF MambaBlock names and shapes them."""
    d, m = c['d_model'], dims(c)
    I, N, K, R = m['I'], m['N'], m['K'], m['R']
    return [(prefix + 'norm.weight', [d]),
            (prefix + 'mixer.A_log', [I, N]),
            (prefix + 'mixer.D', [I]),
            (prefix + 'mixer.conv1d.weight', [I, 1, K]),
            (prefix + 'mixer.conv1d.bias', [I]),
            (prefix + 'mixer.in_proj.weight', [2 * I, d]),
            (prefix + 'mixer.x_proj.weight', [R + 2 * N, I]),
            (prefix + 'mixer.dt_proj.weight', [I, R]),
            (prefix + 'mixer.dt_proj.bias', [I]),
            (prefix + 'mixer.out_proj.weight', [d, I])]


def attention_shapes(prefix, c):
    d, h = c['d_model'], swiglu_hidden(c['d_model'])
    return [(prefix + 'input_layernorm.weight', [d]),
            (prefix + 'self_attn.q_proj.weight', [d, d]),
            (prefix + 'self_attn.k_proj.weight', [d, d]),
            (prefix + 'self_attn.v_proj.weight', [d, d]),
            (prefix + 'self_attn.o_proj.weight', [d, d]),
            (prefix + 'post_attention_layernorm.weight', [d]),
            (prefix + 'mlp.gate_proj.weight', [h, d]),
            (prefix + 'mlp.up_proj.weight', [h, d]),
            (prefix + 'mlp.down_proj.weight', [d, h])]


def frame(c):
    """Embedding, final norm and head names: MambaForCausalLM's for mamba, LLaMA's for hybrid."""
    if c['family'] == 'mamba':
        return 'backbone.embeddings.weight', 'backbone.layers.', 'backbone.norm_f.weight'
    return 'model.embed_tokens.weight', 'model.layers.', 'model.norm.weight'


def param_shapes(c):
    embed, layers, norm = frame(c)
    out = [(embed, [c['vocab_size'], c['d_model']])]
    pattern = c.get('layers', 'M' * c['n_layer'])
    for i, kind in enumerate(pattern):
        out += mamba_shapes(f'{layers}{i}.', c) if kind == 'M' else attention_shapes(f'{layers}{i}.', c)
    out.append((norm, [c['d_model']]))
    if not c['tie_embeddings']:
        out.append(('lm_head.weight', [c['vocab_size'], c['d_model']]))
    return out


def init_params(c, seed):
    """Larger-than-usual random weights so every term matters; A_log near log(1..N), Δ bias so steps vary widely."""
    g = torch.Generator().manual_seed(seed)
    params = {}
    for name, shape in param_shapes(c):
        r = torch.randn(shape, generator=g)
        if name.endswith('norm.weight') or name.endswith('layernorm.weight') or name.endswith('.D'):
            v = 1 + 0.1 * r
        elif name.endswith('A_log'):
            v = torch.log(torch.arange(1, shape[1] + 1).float()).expand(shape) + 0.1 * r
        elif name.endswith('dt_proj.bias'):
            v = r - 1
        elif name.endswith('conv1d.weight'):
            v = 0.4 * r
        else:
            v = 0.2 * r
        params[name] = v.float().contiguous().requires_grad_(True)
    return params


def selective_scan(u, delta, A, B, C, D):
    """h_t = exp(Δ_t A) h_{t-1} + Δ_t B_t u_t, y_t = C_t h_t + D u_t, one position at a time (mamba-minimal)."""
    b, T, I = u.shape
    deltaA = torch.exp(torch.einsum('bti,in->btin', delta, A))
    deltaBu = torch.einsum('bti,btn,bti->btin', delta, B, u)
    h = torch.zeros(b, I, A.shape[1])
    ys = []
    for t in range(T):
        h = deltaA[:, t] * h + deltaBu[:, t]
        ys.append(torch.einsum('bin,bn->bi', h, C[:, t]))
    return torch.stack(ys, dim=1) + u * D


def mamba_mixer(p, pre, x, c):
    """HF MambaMixer.slow_forward: in_proj, causal depthwise conv, SiLU, x_proj → (Δ, B, C), scan, gate, out_proj."""
    T = x.shape[1]
    m = dims(c)
    xs, z = (x @ p[pre + 'in_proj.weight'].t()).chunk(2, dim=-1)
    xs = F.conv1d(xs.transpose(1, 2), p[pre + 'conv1d.weight'], p[pre + 'conv1d.bias'], padding=m['K'] - 1,
                  groups=m['I'])[..., :T].transpose(1, 2)
    xs = F.silu(xs)
    dt, B, C = (xs @ p[pre + 'x_proj.weight'].t()).split([m['R'], m['N'], m['N']], dim=-1)
    delta = F.softplus(dt @ p[pre + 'dt_proj.weight'].t() + p[pre + 'dt_proj.bias'])
    y = selective_scan(xs, delta, -torch.exp(p[pre + 'A_log']), B, C, p[pre + 'D'])
    return (y * F.silu(z)) @ p[pre + 'out_proj.weight'].t()


def attention_block(p, pre, x, c):
    """A LLaMA block (as llama_reference.forward's loop body): RMSNorm, RoPE attention, RMSNorm, SwiGLU."""
    B, T, d = x.shape
    H = c['n_head']
    hd, eps = d // H, c['norm_eps']
    cos, sin = rope_cos_sin(T, hd, 10000.0)
    mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
    h = rms_norm(x, p[pre + 'input_layernorm.weight'], eps)
    q, k, v = ((h @ p[pre + f'self_attn.{n}_proj.weight'].t()).view(B, T, H, hd).transpose(1, 2) for n in 'qkv')
    q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
    att = ((q @ k.transpose(-2, -1)) / math.sqrt(hd)).masked_fill(~mask, float('-inf')).softmax(-1)
    x = x + (att @ v).transpose(1, 2).reshape(B, T, d) @ p[pre + 'self_attn.o_proj.weight'].t()
    h = rms_norm(x, p[pre + 'post_attention_layernorm.weight'], eps)
    gate = F.silu(h @ p[pre + 'mlp.gate_proj.weight'].t())
    return x + (gate * (h @ p[pre + 'mlp.up_proj.weight'].t())) @ p[pre + 'mlp.down_proj.weight'].t()


def forward(p, idx, c):
    embed, layers, norm = frame(c)
    x = p[embed][idx]
    for i, kind in enumerate(c.get('layers', 'M' * c['n_layer'])):
        pre = f'{layers}{i}.'
        if kind == 'M':
            x = x + mamba_mixer(p, pre + 'mixer.', rms_norm(x, p[pre + 'norm.weight'], c['norm_eps']), c)
        else:
            x = attention_block(p, pre, x, c)
    x = rms_norm(x, p[norm], c['norm_eps'])
    return x @ p.get('lm_head.weight', p[embed]).t()


def model_fixture(key, c, seed):
    params = init_params(c, seed)
    write_safetensors(os.path.join(OUT, f'{key}_weights.safetensors'), params)
    gen = torch.Generator().manual_seed(seed + 100)
    x = torch.randint(0, c['vocab_size'], (BATCH, c['block_size']), generator=gen)
    y = torch.randint(0, c['vocab_size'], (BATCH, c['block_size']), generator=gen)
    logits = forward(params, x, c)
    loss = F.cross_entropy(logits.view(-1, c['vocab_size']), y.view(-1))
    loss.backward()
    return {'model': c, 'batch': BATCH, 'x': x.flatten().tolist(), 'y': y.flatten().tolist(), 'logits': r8(logits),
            'loss': float(loss), 'grads': {n: r8(p.grad) for n, p in params.items()}}


def main():
    torch.manual_seed(0)
    os.makedirs(OUT, exist_ok=True)
    models = {key: model_fixture(key, c, seed) for seed, (key, c) in enumerate(MODELS.items(), start=11)}
    path = os.path.join(OUT, 'mamba_tiny.json')
    with open(path, 'w') as f:
        json.dump({'about': 'Written by tools/reference/mamba_reference.py with torch ' + torch.__version__,
                   'models': models}, f, separators=(',', ':'))
    for key, m in models.items():
        print(f'{key}: loss {m["loss"]:.6f}', file=sys.stderr)
    print(f'{os.path.getsize(path)} bytes', file=sys.stderr)


if __name__ == '__main__':
    main()

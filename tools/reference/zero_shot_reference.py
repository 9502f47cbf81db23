#!/usr/bin/env python3
"""Reference log-likelihoods for zero-shot multiple choice, scored as lm-evaluation-harness scores them: for each
(context, continuation) of token ids, keep the last block_size + 1 tokens of context + continuation, run the model
on all but the last, and sum the log-softmax of the continuation's tokens at the final positions. The model is
the PyTorch GPT-2 of gpt_reference.py on the committed weights in Hugging Face GPT-2 layout
(fixtures/gpt_tiny_weights.safetensors). Writes fixtures/zero_shot_tiny.json.
Run: /usr/bin/python3 tools/reference/zero_shot_reference.py
"""
import json
import os
import random
import sys

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from gpt_reference import CFG, forward  # noqa: E402
from check_hf_export import read_safetensors  # noqa: E402


def loglik(params, ctx, cont):
    block = CFG['block_size']
    whole = (ctx + cont)[-(block + 1):]
    inp = torch.tensor([whole[:-1]], dtype=torch.long)
    with torch.no_grad():
        logits = forward(params, inp, CFG)[0].double()
    logp = F.log_softmax(logits, dim=-1)
    t = len(whole) - 1
    return float(sum(logp[t - len(cont) + i, tok] for i, tok in enumerate(cont)))


def main():
    params = read_safetensors(os.path.join(HERE, 'fixtures', 'gpt_tiny_weights.safetensors'))
    rng = random.Random(7)
    v = CFG['vocab_size']
    items = []
    # Short contexts, contexts longer than the window (left truncation) and continuations of 1 to 4 tokens.
    for n_ctx in [1, 3, 6, 12]:
        ctx = [rng.randrange(v) for _ in range(n_ctx)]
        choices = [[rng.randrange(v) for _ in range(rng.randint(1, 4))] for _ in range(3)]
        items.append({'ctx': ctx, 'choices': choices, 'logliks': [loglik(params, ctx, c) for c in choices]})
    out = os.path.join(HERE, 'fixtures', 'zero_shot_tiny.json')
    with open(out, 'w') as f:
        json.dump({'model': CFG, 'items': items}, f, indent=1)
        f.write('\n')
    print(f'wrote {out}')


if __name__ == '__main__':
    main()

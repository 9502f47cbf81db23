#!/usr/bin/env python3
# Writes the masked cross-entropy parity fixture (tools/reference/fixtures/masked_ce.json): PyTorch's
# F.cross_entropy(ignore_index=-100) on fixed logits with some targets ignored, its value and its gradient,
# also with label smoothing. Needs Debian's python3-torch (run with /usr/bin/python3); never needed at run time.
import json
import os

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'fixtures', 'masked_ce.json')

torch.manual_seed(20261202)
N, V = 24, 11
logits = (torch.randn(N, V, dtype=torch.float64) * 2.0).float()
targets = torch.randint(0, V, (N,))
# Prompt positions and padding: the first third, and a few scattered rows.
ignored = [i for i in range(N) if i < N // 3 or i % 5 == 0]
for i in ignored:
    targets[i] = -100

cases = []
for smoothing in (0.0, 0.1):
    x = logits.clone().requires_grad_(True)
    loss = F.cross_entropy(x, targets, ignore_index=-100, label_smoothing=smoothing)
    loss.backward()
    cases.append({'label_smoothing': smoothing, 'loss': loss.item(), 'grad': x.grad.flatten().tolist()})

with open(OUT, 'w') as f:
    json.dump({'n': N, 'v': V, 'logits': logits.flatten().tolist(), 'targets': targets.tolist(), 'cases': cases}, f)
print(f'wrote {OUT}: {len(ignored)} of {N} targets ignored')

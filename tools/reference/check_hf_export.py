#!/usr/bin/env python3
# Loads a Hugging Face GPT-2 folder written by Loupe (config.json + model.safetensors) with the reference
# GPT-2 forward (HF names, Conv1D layout, gelu_new) and compares its logits with Loupe's.
# Usage: /usr/bin/python3 check_hf_export.py FOLDER LOGITS.json   (LOGITS.json: {"ids": [[...]], "logits": [...]})
import json
import os
import struct
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gpt_reference import forward  # noqa: E402


def read_safetensors(path):
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, e in header.items():
        if name == '__metadata__':
            continue
        assert e['dtype'] == 'F32', name
        a, b = e['data_offsets']
        out[name] = torch.frombuffer(bytearray(data[a:b]), dtype=torch.float32).reshape(e['shape'])
    return out


def main():
    folder, logits_path = sys.argv[1], sys.argv[2]
    hf = json.load(open(os.path.join(folder, 'config.json')))
    assert hf['model_type'] == 'gpt2' and hf['activation_function'] == 'gelu_new'
    c = dict(vocab_size=hf['vocab_size'], block_size=hf['n_positions'], n_layer=hf['n_layer'], n_head=hf['n_head'],
             d_model=hf['n_embd'])
    params = read_safetensors(os.path.join(folder, 'model.safetensors'))
    ref = json.load(open(logits_path))
    ids = torch.tensor(ref['ids'])
    with torch.no_grad():
        logits = forward(params, ids, c).flatten()
    diff = (logits - torch.tensor(ref['logits'])).abs().max().item()
    print(f'max |logits diff| {diff:.3g} over {logits.numel()} values')
    sys.exit(0 if diff < 1e-4 else 1)


if __name__ == '__main__':
    main()

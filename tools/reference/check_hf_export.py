#!/usr/bin/env python3
# Loads a Hugging Face folder written by Loupe (config.json + model.safetensors) with the reference forward of its
# model_type (gpt2: HF names, Conv1D layout, gelu_new; llama: LlamaForCausalLM names, [out, in] linears; mamba:
# MambaForCausalLM names, the sequential scan) and
# compares its logits with Loupe's.
# Usage: /usr/bin/python3 check_hf_export.py FOLDER LOGITS.json   (LOGITS.json: {"ids": [[...]], "logits": [...]})
import json
import os
import struct
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gpt_reference  # noqa: E402
import llama_reference  # noqa: E402
import mamba_reference  # noqa: E402


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
    params = read_safetensors(os.path.join(folder, 'model.safetensors'))
    if hf['model_type'] == 'llama':
        assert hf['architectures'] == ['LlamaForCausalLM'] and hf['hidden_act'] == 'silu'
        c = dict(vocab_size=hf['vocab_size'], block_size=hf['max_position_embeddings'], n_layer=hf['num_hidden_layers'],
                 n_head=hf['num_attention_heads'], n_kv_head=hf['num_key_value_heads'], d_model=hf['hidden_size'],
                 mlp_hidden=hf['intermediate_size'], norm_eps=hf['rms_norm_eps'], rope_theta=hf['rope_theta'],
                 tie_embeddings=hf['tie_word_embeddings'])
        assert ('lm_head.weight' in params) == (not c['tie_embeddings'])
        forward = llama_reference.forward
    elif hf['model_type'] == 'mamba':
        assert hf['architectures'] == ['MambaForCausalLM'] and not hf['use_bias'] and hf['use_conv_bias']
        c = dict(family='mamba', vocab_size=hf['vocab_size'], n_layer=hf['num_hidden_layers'], d_model=hf['hidden_size'],
                 d_state=hf['state_size'], d_conv=hf['conv_kernel'], expand=hf['expand'], dt_rank=hf['time_step_rank'],
                 norm_eps=hf['layer_norm_epsilon'], tie_embeddings=hf['tie_word_embeddings'])
        assert ('lm_head.weight' in params) == (not c['tie_embeddings'])
        forward = mamba_reference.forward
    else:
        assert hf['model_type'] == 'gpt2' and hf['activation_function'] == 'gelu_new'
        c = dict(vocab_size=hf['vocab_size'], block_size=hf['n_positions'], n_layer=hf['n_layer'], n_head=hf['n_head'],
                 d_model=hf['n_embd'])
        forward = gpt_reference.forward
    ref = json.load(open(logits_path))
    ids = torch.tensor(ref['ids'])
    with torch.no_grad():
        logits = forward(params, ids, c).flatten()
    diff = (logits - torch.tensor(ref['logits'])).abs().max().item()
    print(f'max |logits diff| {diff:.3g} over {logits.numel()} values')
    sys.exit(0 if diff < 1e-4 else 1)


if __name__ == '__main__':
    main()

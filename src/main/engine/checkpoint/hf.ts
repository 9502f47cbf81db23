// Hugging Face layouts: the config.json that transformers' GPT2LMHeadModel accepts, and the weight file in
// its names. Missing biases (model.bias = false) are written as zeros so the file still loads there.
import type { ModelSpec } from '../model/types.ts';
import { gptParamShapes } from '../model/gpt.ts';
import type { NamedTensor } from './safetensors.ts';

export function hfConfig(spec: ModelSpec): Record<string, unknown> {
  if (spec.family !== 'gpt') throw new Error(`Hugging Face export of family "${spec.family}" is not implemented`);
  return {
    architectures: ['GPT2LMHeadModel'],
    model_type: 'gpt2',
    vocab_size: spec.vocab_size,
    n_positions: spec.block_size,
    n_ctx: spec.block_size,
    n_embd: spec.d_model,
    n_layer: spec.n_layer,
    n_head: spec.n_head,
    // GPT-2 reads null as 4·n_embd.
    n_inner: spec.mlp_hidden ?? null,
    activation_function: 'gelu_new',
    resid_pdrop: spec.dropout,
    embd_pdrop: spec.dropout,
    attn_pdrop: spec.dropout,
    layer_norm_epsilon: 1e-5,
    initializer_range: 0.02,
    scale_attn_weights: true,
    use_cache: true,
    tie_word_embeddings: spec.tie_embeddings,
    bos_token_id: spec.vocab_size - 1,
    eos_token_id: spec.vocab_size - 1,
    torch_dtype: 'float32',
  };
}

/** The model's parameters in HF GPT-2 layout, adding zero biases when the model has none. */
export function hfTensors(spec: ModelSpec, params: Map<string, Float32Array>): NamedTensor[] {
  const full: ModelSpec = { ...spec, bias: true };
  return gptParamShapes(full).map(({ name, shape }) => {
    const data = params.get(name);
    if (data) return { name, shape, data };
    if (!spec.bias && name.endsWith('.bias')) return { name, shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) };
    throw new Error(`missing parameter ${name}`);
  });
}

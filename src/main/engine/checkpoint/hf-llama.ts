// Hugging Face LlamaForCausalLM layout: the config.json transformers accepts and the weights in its names, with
// every nn.Linear weight transposed to [out, in] on the way out and back to Loupe's [in, out] on the way in.
import type { ModelSpec } from '../model/types.ts';
import { kvHeads, llamaLayout, llamaMlpHidden, ROPE_THETA_DEFAULT } from '../model/llama.ts';
import type { NamedTensor } from './safetensors.ts';

export function llamaHfConfig(spec: ModelSpec): Record<string, unknown> {
  return {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    vocab_size: spec.vocab_size,
    hidden_size: spec.d_model,
    intermediate_size: llamaMlpHidden(spec),
    num_hidden_layers: spec.n_layer,
    num_attention_heads: spec.n_head,
    num_key_value_heads: kvHeads(spec),
    head_dim: spec.d_model / spec.n_head,
    hidden_act: 'silu',
    max_position_embeddings: spec.block_size,
    rms_norm_eps: spec.norm_eps,
    rope_theta: spec.rope_theta ?? ROPE_THETA_DEFAULT,
    rope_scaling: null,
    attention_bias: false,
    mlp_bias: false,
    attention_dropout: spec.dropout,
    initializer_range: 0.02,
    tie_word_embeddings: spec.tie_embeddings,
    use_cache: true,
    bos_token_id: spec.vocab_size - 1,
    eos_token_id: spec.vocab_size - 1,
    torch_dtype: 'float32',
  };
}

/** A row-major [rows, cols] matrix as [cols, rows]. */
export function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c]!;
  return out;
}

/** The model's parameters in HF order and layout (linear weights [out, in]). */
export function llamaToHf(spec: ModelSpec, params: Map<string, Float32Array>): NamedTensor[] {
  return llamaLayout(spec).map(({ name, shape, hfTransposed }) => {
    const data = params.get(name);
    if (!data) throw new Error(`missing parameter ${name}`);
    if (!hfTransposed) return { name, shape, data };
    const [rows, cols] = shape as [number, number];
    return { name, shape: [cols, rows], data: transpose2d(data, rows, cols) };
  });
}

/** HF-layout tensors back to the model's parameters, checking every name and shape against the layout. */
export function llamaFromHf(spec: ModelSpec, tensors: Map<string, { shape: number[]; data: Float32Array }>): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const { name, shape, hfTransposed } of llamaLayout(spec)) {
    const t = tensors.get(name);
    if (!t) throw new Error(`missing parameter ${name}`);
    const want = hfTransposed ? [shape[1]!, shape[0]!] : shape;
    if (t.shape.join(',') !== want.join(',')) throw new Error(`${name}: shape [${t.shape}] where [${want}] was expected`);
    out.set(name, hfTransposed ? transpose2d(t.data, want[0]!, want[1]!) : t.data);
  }
  return out;
}

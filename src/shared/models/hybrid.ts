// The hybrid family's layout: LLaMA's frame (token embedding, final RMSNorm, optionally tied head) around a stack
// whose layers are Mamba blocks or LLaMA attention blocks, as model.layers gives ("MMAA"; default first half Mamba).
// Both block kinds keep their own parameter names under model.layers.{i}. No Hugging Face class holds this model,
// so its files are Loupe's own: the same safetensors, with a config.json that names no transformers architecture.
// With model.moe, the attention layers' MLPs are mixtures of experts (Mamba layers have no MLP).
import type { ConfigIssue } from '../config.ts';
import type { FamilyLayout, ModelSpec, ParamSpec } from './layout.ts';
import { llamaBlockActivationFloats, llamaBlockParams, llamaFrame, llamaMlpHidden, kvHeads, ROPE_THETA_DEFAULT } from './llama.ts';
import { mambaBlockActivationFloats, mambaBlockNames, mambaBlockParams, mambaDims } from './mamba.ts';
import { hybridBlocks } from './hybrid-pattern.ts';
import { moeHfFields } from './moe.ts';

/** The Mamba block names of hybrid layer i (its attention layers use llamaNames.block(i)). */
export const hybridMambaNames = (i: number): ReturnType<typeof mambaBlockNames> => mambaBlockNames(`model.layers.${i}`);

function hybridParams(spec: ModelSpec): ParamSpec[] {
  const blocks = hybridBlocks(spec);
  return llamaFrame(spec, (i) => (blocks[i] === 'M' ? mambaBlockParams(spec, hybridMambaNames(i), i) : llamaBlockParams(spec, i)));
}

export const hybridLayout: FamilyLayout = {
  family: 'hybrid',
  params: hybridParams,
  exportParams: hybridParams,
  hfConfig(spec) {
    const { dInner, dState, dConv, dtRank } = mambaDims(spec);
    return {
      // Not a transformers class: the file is for Loupe (loading and comparing), not for from_pretrained.
      model_type: 'loupe-hybrid',
      loupe_note: 'Mamba and LLaMA attention blocks in one stack; no Hugging Face class holds this model',
      layers: hybridBlocks(spec).join(''),
      vocab_size: spec.vocab_size,
      hidden_size: spec.d_model,
      num_hidden_layers: spec.n_layer,
      max_position_embeddings: spec.block_size,
      num_attention_heads: spec.n_head,
      num_key_value_heads: kvHeads(spec),
      intermediate_size: llamaMlpHidden(spec),
      rope_theta: spec.rope_theta ?? ROPE_THETA_DEFAULT,
      rms_norm_eps: spec.norm_eps,
      mamba_intermediate_size: dInner,
      state_size: dState,
      conv_kernel: dConv,
      time_step_rank: dtRank,
      tie_word_embeddings: spec.tie_embeddings,
      torch_dtype: 'float32',
      ...moeHfFields(spec),
    };
  },
  activationFloatsPerSequence(spec) {
    const perBlock = hybridBlocks(spec).map((b) => (b === 'M' ? mambaBlockActivationFloats(spec) : llamaBlockActivationFloats(spec)));
    return perBlock.reduce((a, b) => a + b, 0) + 6 * spec.block_size * spec.vocab_size;
  },
  unbuilt(): ConfigIssue[] {
    return [];
  },
};

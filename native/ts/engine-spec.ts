/**
 * From a resolved GPT-NeoX configuration to the native engine's specification (the keys the
 * model and optimizer read, named as in the config). Options the CPU engine does not implement
 * are refused here, one key at a time, with the value and what to set instead; the native side
 * refuses unsupported values of the keys it reads itself (norm, pos_emb, activation, init methods).
 */
import type { NeoxConfig } from '../../common/config';
import { NativeInvalidArgumentError } from './errors';
import type { EngineOptions, EngineSpec, ParallelEngineOptions } from './native';

/** Attention types that are plain (optionally windowed) causal attention on the CPU. */
const PLAIN_ATTENTION = new Set(['global', 'flash']);

function refuse(key: string, value: unknown, fix: string): never {
  throw new NativeInvalidArgumentError(`${key} is ${JSON.stringify(value)}; the CPU engine ${fix}`);
}

/** Keys whose features the engine lacks: each must keep its neutral value. */
function checkSupported(config: NeoxConfig): void {
  if (config.gpt_j_tied) refuse('gpt_j_tied', true, 'gives each branch its own norm: set it to false');
  if (config.use_qk_layernorm) refuse('use_qk_layernorm', true, 'has no query/key norm: set it to false');
  if (config.use_mup) refuse('use_mup', true, 'uses the standard parametrization: set it to false');
  if (config.moe_num_experts !== 1) refuse('moe_num_experts', config.moe_num_experts, 'has dense MLPs only: set it to 1');
  if (config.num_unique_layers !== null) refuse('num_unique_layers', config.num_unique_layers, 'does not share layers: remove the key');
  if (config.z_loss !== 0) refuse('z_loss', config.z_loss, 'has no z-loss term: set it to 0');
  if (config.train_impl !== 'normal') refuse('train_impl', config.train_impl, "trains the language-model loss only: set it to 'normal'");
  if (config.optimizer_type !== 'adam') refuse('optimizer.type', config.optimizer.type, "implements Adam with decoupled weight decay: set type 'Adam'");
  if (config.use_bnb_optimizer) refuse('use_bnb_optimizer', true, 'keeps fp32 optimizer state: set it to false');
  const soft = config.soft_prompt_tuning as { enabled?: unknown } | null;
  if (soft && soft.enabled) refuse('soft_prompt_tuning.enabled', true, 'trains every parameter: disable soft prompt tuning');
  config.attention_config.forEach((type, layer) => {
    if (!PLAIN_ATTENTION.has(type)) {
      refuse(`attention_config (layer ${layer})`, type, "supports 'global' or 'flash' attention (with sliding_window_width for a window)");
    }
  });
}

function adamParams(config: NeoxConfig): { beta1: number; beta2: number; eps: number } {
  const params = config.optimizer.params;
  const betas = params.betas ?? [0.9, 0.999];
  if (!Array.isArray(betas) || betas.length !== 2 || !betas.every((b) => typeof b === 'number')) {
    refuse('optimizer.params.betas', betas, 'needs two numbers [beta1, beta2]');
  }
  const eps = params.eps ?? 1e-8;
  if (typeof eps !== 'number') refuse('optimizer.params.eps', eps, 'needs a number (default 1e-8)');
  return { beta1: betas[0] as number, beta2: betas[1] as number, eps };
}

/** zero_optimization's stage, bucket size and overlap as the engine reads them. */
function zeroSettings(config: NeoxConfig): { stage: number; bucket: number; overlap: boolean } {
  const zero = config.zero_optimization;
  const bucket = zero.reduce_bucket_size ?? 5e8;
  if (typeof bucket !== 'number' || !Number.isInteger(bucket) || bucket < 1) refuse('zero_optimization.reduce_bucket_size', bucket, 'needs a whole number of elements >= 1 (default 5e8)');
  const overlap = zero.overlap_comm ?? false;
  if (typeof overlap !== 'boolean') refuse('zero_optimization.overlap_comm', overlap, 'needs true or false');
  return { stage: zero.stage, bucket, overlap };
}

export function engineSpecFromConfig(config: NeoxConfig, options: EngineOptions | ParallelEngineOptions): EngineSpec {
  checkSupported(config);
  const adam = adamParams(config);
  const zero = zeroSettings(config);
  if (config.padded_vocab_size === null) refuse('padded_vocab_size', null, 'needs the vocabulary size: set tokenizer_vocab_size or a vocab file');
  return {
    num_layers: config.num_layers,
    hidden_size: config.hidden_size,
    num_attention_heads: config.num_attention_heads,
    num_kv_heads: config.num_kv_heads,
    seq_length: config.seq_length,
    max_position_embeddings: config.max_position_embeddings,
    padded_vocab_size: config.padded_vocab_size,
    mlp_linear1_width: config.mlp_linear1_width,
    mlp_linear2_width: config.mlp_linear2_width,
    activation: config.activation,
    bias_gelu_fusion: config.bias_gelu_fusion,
    norm: config.norm,
    layernorm_epsilon: config.layernorm_epsilon,
    rms_norm_epsilon: config.rms_norm_epsilon,
    pos_emb: config.pos_emb,
    rotary_pct: config.rotary_pct,
    rotary_emb_base: config.rotary_emb_base,
    opt_pos_emb_offset: config.opt_pos_emb_offset,
    gpt_j_residual: config.gpt_j_residual,
    no_weight_tying: config.no_weight_tying,
    use_bias_in_attn_linear: config.use_bias_in_attn_linear,
    use_bias_in_mlp: config.use_bias_in_mlp,
    hidden_dropout: config.hidden_dropout,
    attention_dropout: config.attention_dropout,
    sliding_window_width: config.sliding_window_width,
    init_method: config.init_method,
    output_layer_init_method: config.output_layer_init_method,
    init_method_std: config.init_method_std,
    checkpoint_activations: config.checkpoint_activations,
    train_micro_batch_size_per_gpu: config.train_micro_batch_size_per_gpu,
    gradient_accumulation_steps: config.gradient_accumulation_steps,
    adam_beta1: adam.beta1,
    adam_beta2: adam.beta2,
    adam_eps: adam.eps,
    weight_decay: config.weight_decay,
    gradient_clipping: config.gradient_clipping,
    seed: options.seed ?? config.seed,
    threads: options.threads ?? config.actor_threads,
    model_parallel_size: config.model_parallel_size,
    pipeline_stages: config.pipeline_stages,
    data_parallel_size: config.data_parallel_size,
    zero_stage: zero.stage,
    reduce_bucket_size: zero.bucket,
    overlap_comm: zero.overlap,
    pipe_partition_method: config.pipe_partition_method,
    parallel: 'parallel' in options ? options.parallel : null,
  };
}

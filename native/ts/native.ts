/**
 * The typed surface of the native addon (native/binding/). Every native function is declared here
 * and nowhere else. Rule across the boundary: no optional (`?`) fields — intentionally absent is
 * `null`, so `undefined` always means a bug.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { chooseOpenblasKernels } from '../../common/blas-kernels';
import { packageRoot } from '../../common/paths';
import type { NeoxConfig } from '../../common/config';
import { engineSpecFromConfig } from './engine-spec';
import { convertNativeError, NativeLoadError } from './errors';
import { chooseOpenmpSpin } from './openmp-env';

// ---- build and threads ---------------------------------------------------------------------

export interface BuildInfo {
  blas: string;
  openmp: string;
  gloo: boolean;
  cuda: boolean;
  compiler: string;
}

export interface NativeAddon {
  buildInfo(): BuildInfo;
  /** Threads used by BLAS and native loops; 0 = all cores. Returns the count now in effect. */
  setNumThreads(n: number): number;
  numThreads(): number;
  /** See the communicators section below; use `createCommunicator`, which types its errors. */
  createCommunicator(options: CommunicatorOptions): Promise<Communicator>;
  /** See the training engine section below; use `createEngine`, which builds the spec and types errors. */
  createEngine(spec: EngineSpec): Promise<NativeEngineHandle>;
}

let cached: NativeAddon | null = null;

/** Path of the compiled addon; NEOX_NATIVE_ADDON overrides it (for out-of-tree builds). */
export function nativeAddonPath(): string {
  return process.env.NEOX_NATIVE_ADDON ?? join(packageRoot(), 'native', 'build', 'Release', 'neox_native.node');
}

export function loadNative(): NativeAddon {
  if (cached) return cached;
  const path = nativeAddonPath();
  if (!existsSync(path)) {
    throw new NativeLoadError(`native addon not found at ${path}; build it with "npm run build:native"`);
  }
  chooseOpenblasKernels(); // must precede loading OpenBLAS
  chooseOpenmpSpin(); // must precede loading libgomp
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    cached = wrapErrors(require(path) as NativeAddon);
  } catch (error) {
    throw new NativeLoadError(`cannot load native addon ${path}: ${(error as Error).message}`, { cause: error });
  }
  return cached;
}

/** Re-throws native errors as typed JS errors (see errors.ts). */
function wrapErrors<T extends object>(addon: T): T {
  return new Proxy(addon, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        try {
          const result = (value as (...a: unknown[]) => unknown).apply(target, args);
          if (result instanceof Promise) return result.catch((e: unknown) => Promise.reject(convertNativeError(e)));
          return result;
        } catch (error) {
          throw convertNativeError(error);
        }
      };
    },
  });
}

// ---- communicators ---------------------------------------------------------------------------

/**
 * The rendezvous key-value store a communicator meets its peers through: in production the
 * actor's client of the coordinator's KV service, scoped to one run and generation (keys of an
 * older generation must not be visible). The native side calls it from its compute thread and
 * waits for the answer; the JS event loop stays free meanwhile. Methods may return plain values
 * or Promises.
 */
export interface CommStore {
  /** Creates or replaces key. */
  set(key: string, value: Uint8Array): Promise<void> | void;
  /** The value of key, or null when it does not exist (yet). */
  get(key: string): Promise<Uint8Array | null> | Uint8Array | null;
  /** Adds delta to the decimal integer stored at key (absent = 0), atomically; returns the new value. */
  add(key: string, delta: number): Promise<number> | number;
  /** Settles once every key exists or after timeoutMs, with the keys still missing ([] = all exist). */
  wait(keys: string[], timeoutMs: number): Promise<string[]> | string[];
}

export interface CommunicatorOptions {
  /** This process's rank in the group, 0 ≤ rank < size. */
  rank: number;
  size: number;
  /** Group name, used in store keys and error messages: "world", "dp", "tp", "pp". */
  name: string;
  store: CommStore;
  /** Deadline of the rendezvous and of each collective (comm_timeout_seconds × 1000). */
  timeoutMs: number;
  /** Address this rank listens on and advertises to peers; null = 127.0.0.1 (one machine). */
  host: string | null;
}

/** A Gloo (CPU) communicator. Its calls run in order on its own native thread. */
export interface Communicator {
  readonly rank: number;
  readonly size: number;
  readonly name: string;
  /**
   * In place: data ← Σ over ranks (or the mean). Rejects with CommError naming the peer on a
   * timeout or a dead peer; the communicator then refuses further calls (build a new one for
   * the next generation).
   */
  allReduce(data: Float32Array, op: 'sum' | 'average'): Promise<void>;
  barrier(): Promise<void>;
  /** Closes the connections after the calls already queued; later calls are refused. */
  close(): Promise<void>;
}

/**
 * Joins the group through options.store and connects to every peer. Rejects with CommError
 * naming the ranks that never joined when timeoutMs passes first.
 */
export async function createCommunicator(options: CommunicatorOptions): Promise<Communicator> {
  const communicator = await loadNative().createCommunicator(options);
  return wrapErrors(communicator);
}

// ---- training engine -------------------------------------------------------------------------

/**
 * What the native engine reads from a resolved config (native/ts/engine-spec.ts builds it with
 * engineSpecFromConfig). Keys are the GPT-NeoX config keys; adam_* come from optimizer.params.
 */
export interface EngineSpec {
  num_layers: number;
  hidden_size: number;
  num_attention_heads: number;
  num_kv_heads: number;
  seq_length: number;
  max_position_embeddings: number;
  padded_vocab_size: number;
  mlp_linear1_width: number;
  mlp_linear2_width: number;
  activation: string;
  bias_gelu_fusion: boolean;
  norm: string;
  layernorm_epsilon: number;
  rms_norm_epsilon: number;
  pos_emb: string;
  rotary_pct: number;
  rotary_emb_base: number;
  opt_pos_emb_offset: number;
  gpt_j_residual: boolean;
  no_weight_tying: boolean;
  use_bias_in_attn_linear: boolean;
  use_bias_in_mlp: boolean;
  hidden_dropout: number;
  attention_dropout: number;
  sliding_window_width: number | null;
  init_method: string;
  output_layer_init_method: string;
  init_method_std: number;
  checkpoint_activations: boolean;
  train_micro_batch_size_per_gpu: number;
  gradient_accumulation_steps: number;
  adam_beta1: number;
  adam_beta2: number;
  adam_eps: number;
  weight_decay: number;
  gradient_clipping: number;
  seed: number;
  /** CPU threads for BLAS and the native loops; 0 = all cores. */
  threads: number;
  /** Parallel degrees (the world is their product) and the ZeRO settings of zero_optimization. */
  model_parallel_size: number;
  pipeline_stages: number;
  data_parallel_size: number;
  zero_stage: number;
  /** Elements per gradient bucket (zero_optimization.reduce_bucket_size). */
  reduce_bucket_size: number;
  /** Reduce gradient buckets during backward (zero_optimization.overlap_comm). */
  overlap_comm: boolean;
  /** How blocks are spread over pipeline stages: 'type:<regex>', 'parameters' or 'uniform'. */
  pipe_partition_method: string;
  /** This process's place in a multi-process run; null = a single-process engine. */
  parallel: EngineParallelOptions | null;
}

/**
 * How one rank of a dp × pp × tp run joins it (Megatron rank order: tensor fastest, then pipeline,
 * then data; native/src/comm/topology.h). Exactly one of `store` and `storeDirectory` is non-null.
 */
export interface EngineParallelOptions {
  /** World rank, 0 ≤ rank < worldSize; the config's degrees must multiply to worldSize. */
  rank: number;
  worldSize: number;
  /** Rendezvous through a key-value store (production: the coordinator's KV service) … */
  store: CommStore | null;
  /** … or through a fresh directory every rank can see (node/launch/ uses this on one machine). */
  storeDirectory: string | null;
  /** Deadline of the rendezvous and of each collective (comm_timeout_seconds × 1000). */
  timeoutMs: number;
  /** Address this rank listens on; null = 127.0.0.1 (one machine). */
  host: string | null;
}

export interface EngineOptions {
  /** Threads; null = the config's actor_threads (0 = all cores). */
  threads: number | null;
  /** Seed of initialization and dropout; null = the config's seed. */
  seed: number | null;
}

/** Where an engine sits in its run (a single-process engine: rank 0 of 1, every degree 1). */
export interface EngineParallelPlace {
  rank: number;
  worldSize: number;
  dataParallelSize: number;
  modelParallelSize: number;
  pipelineStages: number;
  dpRank: number;
  tpRank: number;
  ppRank: number;
  /** zero_optimization.stage in effect. */
  zeroStage: number;
  /** The transformer blocks [first, end) this pipeline stage holds (pipe_partition_method). */
  stageLayers: [number, number];
}

/** EngineOptions of one rank of a multi-process run (load the config with its worldSize). */
export interface ParallelEngineOptions extends EngineOptions {
  parallel: EngineParallelOptions;
}

export interface EngineStepTimings {
  /** Embedding, blocks, final norm, and the fused output layer + loss (its gradient included). */
  forwardMs: number;
  /** Everything below the loss. */
  backwardMs: number;
  /** Norm, clipping, AdamW. */
  optimizerMs: number;
  /** Data parallelism: waiting for the gradient reduction after backward (part of optimizerMs; 0 in one process). */
  gradientSyncMs: number;
  totalMs: number;
}

export interface EngineStepResult {
  /** Mean over micro-batches of each micro-batch's token-mean loss (reference §3.6). */
  loss: number;
  /** Global gradient L2 norm before clipping (NaN when the loss was not finite). */
  gradNorm: number;
  /** True when no update was applied (a non-finite loss or gradient). */
  skipped: boolean;
  /** The step (as passed) and first tensor that went bad: "loss" or the parameter whose gradient did. */
  nonFinite: { step: number; tensor: string } | null;
  timings: EngineStepTimings;
}

export type EngineTensorKind = 'parameter' | 'exp_avg' | 'exp_avg_sq';

export interface EngineTensor {
  /** Parameters by global name (e.g. layers.0.mlp.linear1.weight); moments "optimizer.exp_avg.<name>", "optimizer.exp_avg_sq.<name>". */
  name: string;
  shape: number[];
  dtype: 'F32';
  kind: EngineTensorKind;
  /** Whether weight decay applies (false for biases and norm parameters; moments copy their parameter's flag). */
  decay: boolean;
  /** The whole tensor's shape (`shape` is this rank's part under tensor parallelism). */
  globalShape: number[];
  /** The slices of the global tensor this rank's data is made of, concatenated along dim 0. */
  boxes: { start: number[]; shape: number[] }[];
  /** Every tensor-parallel rank holds the whole tensor (norms, row-parallel biases, …). */
  tpReplicated: boolean;
  /** The last pipeline stage's copy of tied word embeddings (the first stage's copy is the one saved). */
  pipeTiedCopy: boolean;
}

/** The addon's engine object; use the Engine returned by createEngine. */
export interface NativeEngineHandle {
  readonly threads: number;
  readonly parameterCount: number;
  trainStep(tokens: Int32Array, lossMask: Float32Array | null, lr: number, step: number): Promise<EngineStepResult>;
  evalLoss(tokens: Int32Array): Promise<number>;
  logits(tokens: Int32Array, batch: number, seqLen: number): Promise<Float32Array>;
  tensorInfo(): EngineTensor[];
  getTensor(name: string): Float32Array;
  setTensor(name: string, data: Float32Array): void;
  getGradient(name: string): Float32Array;
  optimizerStep(): number;
  setOptimizerStep(step: number): void;
  close(): void;
  readonly parallel: EngineParallelPlace;
  barrier(): Promise<void>;
  anyRank(flag: boolean): Promise<boolean>;
  openSequence(): number;
  extendSequences(feeds: SequenceFeed[]): Promise<Float32Array[]>;
  releaseSequence(id: number): void;
}

/** New tokens for one cached sequence (Engine.extendSequences). */
export interface SequenceFeed {
  /** An id from openSequence(), not yet released. */
  sequence: number;
  /** ≥ 1 ids in [0, padded_vocab_size), appended after the positions already cached. */
  tokens: Int32Array;
  /** Logits for every new token (true) or only after the last one (false, the default). */
  allRows?: boolean;
}

/**
 * One process's model, gradients and AdamW state in native memory. Compute runs on the engine's
 * own thread with `threads` threads; the Promise-returning calls never block the event loop. The
 * synchronous calls wait for the calls queued before them (call them between steps). Errors:
 * NativeInvalidArgumentError for bad input (shapes, token ids, names, unsupported options).
 */
export class Engine {
  private readonly handle: NativeEngineHandle;

  constructor(handle: NativeEngineHandle) {
    this.handle = wrapErrors(handle);
  }

  /** Threads the engine computes with. */
  get threads(): number {
    return this.handle.threads;
  }

  /** Parameter elements (tied weights counted once). */
  get parameterCount(): number {
    return this.handle.parameterCount;
  }

  /**
   * One optimizer step. tokens: gradient_accumulation_steps × train_micro_batch_size_per_gpu rows of
   * seq_length + 1 ids (inputs are a row's first seq_length ids, targets its last). lossMask: one
   * weight per target (rows × seq_length) or null. lr: this step's learning rate. step: the
   * iteration, which keys dropout and is echoed in nonFinite.
   */
  async trainStep(tokens: Int32Array, lossMask: Float32Array | null, lr: number, step: number): Promise<EngineStepResult> {
    return this.handle.trainStep(tokens, lossMask, lr, step);
  }

  /**
   * Mean loss of one micro-batch (train_micro_batch_size_per_gpu rows of seq_length + 1 ids); no
   * dropout. With several data-parallel ranks each passes its own rows and every rank gets the mean
   * of their losses (a collective: all ranks call it in step).
   */
  async evalLoss(tokens: Int32Array): Promise<number> {
    return this.handle.evalLoss(tokens);
  }

  /** Logits (batch × seqLen × padded_vocab_size) of input ids (batch × seqLen). */
  async logits(tokens: Int32Array, batch: number, seqLen: number): Promise<Float32Array> {
    return this.handle.logits(tokens, batch, seqLen);
  }

  tensorInfo(): EngineTensor[] {
    return this.handle.tensorInfo();
  }

  /**
   * A copy of a parameter or moment. Under ZeRO 1/2 with several data-parallel ranks a moment read
   * is a collective: every data-parallel rank must read the same moments in the same order.
   */
  getTensor(name: string): Float32Array {
    return this.handle.getTensor(name);
  }

  /** Overwrites a parameter or moment (same element count as tensorInfo's shape). */
  setTensor(name: string, data: Float32Array): void {
    this.handle.setTensor(name, data);
  }

  /** A copy of a parameter's gradient from the last trainStep (averaged over micro-batches, before clipping). */
  getGradient(name: string): Float32Array {
    return this.handle.getGradient(name);
  }

  /** AdamW updates applied so far (its t). */
  optimizerStep(): number {
    return this.handle.optimizerStep();
  }

  setOptimizerStep(step: number): void {
    this.handle.setOptimizerStep(step);
  }

  /**
   * Cached decoding (native/src/model/decoder.h). openSequence() starts an empty KV cache and
   * returns its id; extendSequences(feeds) appends each feed's tokens to its sequence in one
   * batched forward (prompts of any length and one-token decode steps mixed freely) and resolves
   * with one Float32Array per feed: (tokens.length × padded_vocab_size) logits with allRows, else
   * the padded_vocab_size logits after the last token. They equal logits() over the whole
   * sequence up to float rounding. releaseSequence(id) frees the cache. Rejects (changing no
   * cache) for unknown sequences, bad ids, or more positions than the model has.
   */
  openSequence(): number {
    return this.handle.openSequence();
  }

  async extendSequences(feeds: SequenceFeed[]): Promise<Float32Array[]> {
    return this.handle.extendSequences(feeds);
  }

  releaseSequence(id: number): void {
    this.handle.releaseSequence(id);
  }

  /** This engine's rank, degrees and ZeRO stage. */
  get parallel(): EngineParallelPlace {
    return this.handle.parallel;
  }

  /** Resolves once every rank of the run has called it (after this engine's queued calls). */
  async barrier(): Promise<void> {
    return this.handle.barrier();
  }

  /**
   * True when any rank of the run passed true: how ranks agree on a decision one of them may have
   * seen first (a stop request). Every rank calls it at the same point; in one process, `flag`.
   */
  async anyRank(flag: boolean): Promise<boolean> {
    return this.handle.anyRank(flag);
  }

  /** Frees the native memory after the calls already queued; later calls are refused. */
  close(): void {
    this.handle.close();
  }
}

/**
 * Builds an engine for a resolved config: allocates and initializes the parameters (from the seed)
 * off the event loop. Rejects with NativeInvalidArgumentError naming the key of an unsupported option.
 * With `parallel`, the engine first joins its run (every rank calls createEngine; the Promises
 * settle once all have joined) and then trains its part: each data-parallel rank passes its own
 * rows to trainStep (node/actor/batches.ts) and all ranks must call trainStep in step.
 */
export async function createEngine(config: NeoxConfig, options: EngineOptions | ParallelEngineOptions): Promise<Engine> {
  const spec = engineSpecFromConfig(config, options);
  return new Engine(await loadNative().createEngine(spec));
}

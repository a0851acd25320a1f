import type { NeoxConfig } from './config-types';

/**
 * Positions a model reads: learned position embeddings limit them to max_position_embeddings (less
 * OPT's offset); rotary and no positions reach the larger of seq_length and max_position_embeddings.
 */
export function modelContext(config: Pick<NeoxConfig, 'pos_emb' | 'max_position_embeddings' | 'seq_length' | 'opt_pos_emb_offset'>): number {
  return config.pos_emb === 'learned' ? config.max_position_embeddings - (config.opt_pos_emb_offset ?? 0) : Math.max(config.seq_length, config.max_position_embeddings);
}

/**
 * The layout test harness: runs the tiny config (layout-config.ts) for a number of steps at a
 * dp × tp × pp layout, one OS process per rank of 1 thread, and returns every rank's report.
 */
import { join } from 'node:path';

import { launchLocal } from '../../node/launch';
import type { LayoutRunSpec } from './layout-config';
import type { RankReport } from './layout-worker';

export interface LayoutRunOptions {
  zeroStage?: number;
  steps?: number;
  overlap?: boolean;
  extra?: Record<string, unknown>;
  threadsPerRank?: number;
  save?: LayoutRunSpec['save'];
  load?: LayoutRunSpec['load'];
  poison?: LayoutRunSpec['poison'];
}

export async function runLayout(layout: LayoutRunSpec['layout'], options: LayoutRunOptions = {}): Promise<RankReport[]> {
  const spec: LayoutRunSpec = {
    layout,
    zeroStage: options.zeroStage ?? 0,
    steps: options.steps ?? 10,
    overlap: options.overlap ?? true,
    extra: options.extra ?? {},
    save: options.save ?? null,
    load: options.load ?? null,
    poison: options.poison ?? null,
  };
  return launchLocal<RankReport>({
    script: join(__dirname, 'layout-worker.js'),
    args: [JSON.stringify(spec)],
    worldSize: layout.dp * layout.tp * layout.pp,
    threadsPerRank: options.threadsPerRank ?? 1,
    commTimeoutMs: 60_000,
    timeoutMs: 180_000,
  });
}

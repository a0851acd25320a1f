/**
 * Console progress text, as pure functions of numbers:
 *
 *   step 120/1000 | loss 4.1234 | lr 6.00e-04 | 2,345 tok/s | 1.2 TFLOP/s | ETA 3m12s
 *   eval step 1000 | lm_loss 3.2100 | ppl 24.78
 *
 * Non-finite numbers print as "nan", "inf", "-inf"; an unknown ETA prints as "--".
 */
import { EvalMetrics } from './metric-types';

export interface ProgressNumbers {
  step: number;
  totalSteps: number;
  loss: number;
  learningRate: number;
  tokensPerSec: number;
  /** Model FLOP/s; the segment is left out when absent. */
  flopsPerSec?: number;
  /** Moving average of recent step times in seconds; null before any step was timed. */
  averageStepTimeS: number | null;
}

function nonFinite(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  return x > 0 ? 'inf' : '-inf';
}

/** Fixed-point with `digits` decimals. */
export function formatFixed(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : nonFinite(x);
}

/** C printf "%.<digits>e" style: at least two exponent digits, e.g. 6.00e-04. */
export function formatExponential(x: number, digits: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  const [mantissa, exponent] = x.toExponential(digits).split('e') as [string, string];
  const sign = exponent.startsWith('-') ? '-' : '+';
  return `${mantissa}e${sign}${exponent.replace(/^[+-]/, '').padStart(2, '0')}`;
}

/** Rounded to an integer with comma thousands separators, e.g. 2,345. */
export function formatThousands(x: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  const digits = Math.abs(Math.round(x)).toString();
  const grouped = digits.replace(/\B(?=(\d{3})+$)/g, ',');
  return Math.round(x) < 0 ? `-${grouped}` : grouped;
}

/** FLOP/s in TFLOP/s from 1e12 up, in GFLOP/s below, one decimal. */
export function formatFlopRate(flopsPerSec: number): string {
  return Math.abs(flopsPerSec) >= 1e12 ? `${formatFixed(flopsPerSec / 1e12, 1)} TFLOP/s` : `${formatFixed(flopsPerSec / 1e9, 1)} GFLOP/s`;
}

/** Whole seconds as 45s, 3m05s, 2h07m or 3d04h; "--" for null or non-finite input. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '--';
  const total = Math.max(0, Math.round(seconds));
  const two = (n: number) => String(n).padStart(2, '0');
  if (total < 60) return `${total}s`;
  if (total < 3600) return `${Math.floor(total / 60)}m${two(total % 60)}s`;
  if (total < 86400) return `${Math.floor(total / 3600)}h${two(Math.floor(total / 60) % 60)}m`;
  return `${Math.floor(total / 86400)}d${two(Math.floor(total / 3600) % 24)}h`;
}

/** Seconds left: remaining steps times the average step time; null when not yet known. */
export function estimateRemainingSeconds(step: number, totalSteps: number, averageStepTimeS: number | null): number | null {
  return averageStepTimeS === null ? null : Math.max(0, totalSteps - step) * averageStepTimeS;
}

export function formatProgressLine(p: ProgressNumbers): string {
  const segments = [
    `step ${p.step}/${p.totalSteps}`,
    `loss ${formatFixed(p.loss, 4)}`,
    `lr ${formatExponential(p.learningRate, 2)}`,
    `${formatThousands(p.tokensPerSec)} tok/s`,
  ];
  if (p.flopsPerSec !== undefined) segments.push(formatFlopRate(p.flopsPerSec));
  segments.push(`ETA ${formatDuration(estimateRemainingSeconds(p.step, p.totalSteps, p.averageStepTimeS))}`);
  return segments.join(' | ');
}

export function formatEvalLine(m: EvalMetrics): string {
  return `eval step ${m.step} | lm_loss ${formatFixed(m.lmLoss, 4)} | ppl ${formatFixed(m.lmLossPpl, 2)}`;
}

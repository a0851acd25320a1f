/**
 * Reads a metrics file written by jsonl-sink.ts. Lines that are not a JSON object with `kind`
 * and `step` (a fragment left by a run that died mid-write) are skipped and reported by line
 * number; the strings "NaN", "Infinity" and "-Infinity" become numbers again.
 */
import { readFileSync } from 'node:fs';

import { FileError, describeError } from '../errors';

export interface MetricRecord {
  kind: 'train' | 'eval';
  step: number;
  time: string;
  wall_time: number;
  [key: string]: number | string | boolean;
}

export interface MetricsFileContent {
  records: MetricRecord[];
  /** 1-based numbers of lines that could not be read. */
  skippedLines: number[];
}

const NON_FINITE: Record<string, number> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY };

function revive(_key: string, value: unknown): unknown {
  return typeof value === 'string' && value in NON_FINITE ? NON_FINITE[value] : value;
}

function parseLine(line: string): MetricRecord | null {
  try {
    const value = JSON.parse(line, revive) as Partial<MetricRecord> | null;
    const valid = value !== null && typeof value === 'object' && (value.kind === 'train' || value.kind === 'eval') && typeof value.step === 'number';
    return valid ? (value as MetricRecord) : null;
  } catch {
    return null;
  }
}

export function readMetricsFile(path: string): MetricsFileContent {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new FileError(path, `cannot read metrics file ${path} (${describeError(error)}); check the path`, { cause: error });
  }
  const content: MetricsFileContent = { records: [], skippedLines: [] };
  text.split('\n').forEach((line, index) => {
    if (line.length === 0) return;
    const record = parseLine(line);
    if (record) content.records.push(record);
    else content.skippedLines.push(index + 1);
  });
  return content;
}

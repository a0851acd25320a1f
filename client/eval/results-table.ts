/** The results of `neox eval` as a text table: one line per task and metric. */
import type { TaskResult } from './task-result';

function format(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 1000 ? value.toFixed(2) : value.toPrecision(6);
}

export function resultsTable(results: TaskResult[]): string {
  const rows = [['task', 'kind', 'docs', 'metric', 'value']];
  for (const result of results) {
    Object.entries(result.metrics).forEach(([metric, value], i) => {
      rows.push(i === 0 ? [result.name, result.kind, String(result.documents), metric, format(value)] : ['', '', '', metric, format(value)]);
    });
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  const line = (row: string[]) => row.map((cell, c) => (c === 2 || c === 4 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

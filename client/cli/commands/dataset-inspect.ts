/** `neox dataset inspect PREFIX`: what an indexed dataset (.bin/.idx) holds. */
import { datasetStats } from '../../../common/data/dataset-stats';
import { IndexedDataset } from '../../../common/data/indexed-dataset';
import { UsageError } from '../../../common/errors';
import type { Command } from '../command';

const count = (n: number) => n.toLocaleString('en-US');

export const datasetInspectCommand: Command = {
  name: 'dataset inspect',
  summary: 'Show documents, tokens, dtype and sizes of an indexed dataset (.bin/.idx)',
  usage: 'neox dataset inspect PREFIX [--json]',
  help: [
    'Reads PREFIX.idx and checks PREFIX.bin (GPT-NeoX mmap or legacy cached format) and prints the',
    'document and token counts, the token dtype, the shortest and longest document and the file sizes.',
    '',
    '  PREFIX  the dataset path without extension, as in data_path (e.g. data/pile_text_document)',
    '  --json  print one JSON object',
  ].join('\n'),
  options: { json: { type: 'boolean' } },
  async run({ positionals, values, stdout }) {
    if (positionals.length !== 1) throw new UsageError('neox dataset inspect takes one PREFIX (the path without .bin/.idx)');
    const prefix = positionals[0]!.replace(/\.(bin|idx)$/, '');
    const ds = IndexedDataset.open(prefix);
    try {
      const stats = datasetStats(ds);
      if (values.json) {
        stdout.write(JSON.stringify(stats, null, 2) + '\n');
        return;
      }
      const doc = (d: { index: number; tokens: number } | null) => (d ? `${count(d.tokens)} tokens (document ${count(d.index)})` : '-');
      stdout.write([
        `dataset    ${stats.prefix} (${stats.format}, ${stats.dtype})`,
        `documents  ${count(stats.documents)}${stats.items !== stats.documents ? ` in ${count(stats.items)} items` : ''}`,
        `tokens     ${count(stats.tokens)} (mean ${stats.meanDocumentTokens.toFixed(1)} per document)`,
        `shortest   ${doc(stats.shortestDocument)}`,
        `longest    ${doc(stats.longestDocument)}`,
        `files      .bin ${count(stats.binBytes)} bytes, .idx ${count(stats.idxBytes)} bytes`,
        ...(stats.note ? [`note       ${stats.note}`] : []),
      ].join('\n') + '\n');
    } finally {
      ds.close();
    }
  },
};

/** Summary numbers of an indexed dataset, for `neox dataset inspect`. */
import { IndexedDataset } from './indexed-dataset';

export interface DatasetStats {
  prefix: string;
  format: 'mmap' | 'cached';
  dtype: string;
  /** Entries of sizes/pointers. */
  items: number;
  /** Documents according to doc_idx. */
  documents: number;
  tokens: number;
  shortestDocument: { index: number; tokens: number } | null;
  longestDocument: { index: number; tokens: number } | null;
  meanDocumentTokens: number;
  binBytes: number;
  idxBytes: number;
  /** A remark when doc_idx does not end at the item count (e.g. files merged by GPT-NeoX's merge_datasets.py). */
  note: string | null;
}

export function datasetStats(ds: IndexedDataset): DatasetStats {
  const documents = ds.documentCount;
  let shortest: DatasetStats['shortestDocument'] = null;
  let longest: DatasetStats['longestDocument'] = null;
  const lastEntry = ds.docIdx.length > 0 ? ds.docIdx.get(ds.docIdx.length - 1) : 0;
  let start = ds.docIdx.length > 0 ? ds.docIdx.get(0) : 0;
  for (let d = 0; d < documents; d++) {
    const end = ds.docIdx.get(d + 1);
    let tokens = 0;
    for (let i = start; i < end && i < ds.length; i++) tokens += ds.sizes[i]!;
    if (!shortest || tokens < shortest.tokens) shortest = { index: d, tokens };
    if (!longest || tokens > longest.tokens) longest = { index: d, tokens };
    start = end;
  }
  const tokens = ds.totalTokens();
  return {
    prefix: ds.prefix,
    format: ds.format,
    dtype: ds.dtype,
    items: ds.length,
    documents,
    tokens,
    shortestDocument: shortest,
    longestDocument: longest,
    meanDocumentTokens: documents > 0 ? tokens / documents : 0,
    binBytes: ds.binBytes,
    idxBytes: ds.idxBytes,
    note: lastEntry === ds.length ? null : `doc_idx ends at item ${lastEntry}, not at the item count ${ds.length} (as in files merged by GPT-NeoX's merge_datasets.py); training reads items and is unaffected`,
  };
}

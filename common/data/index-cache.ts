/**
 * GPT-NeoX's index-map cache files (docs/gpt-neox-reference.md §4.8): three `.npy` files next to
 * the data, named after the split, requested sample count, sequence length, seed and packing.
 * They are loaded when all three exist (GPT-NeoX's rule), else built and written atomically.
 */
import { closeSync, existsSync, fsyncSync, openSync } from 'node:fs';

import { FileError } from '../errors';
import { BufferedWriter } from './buffered-writer';
import { BuiltIndexMaps, buildIndexMaps, DocumentRange, IndexPlan, planIndex } from './gpt2-index';
import { fileIntArray, IntArray, ResidentIntArray, ResidentTypedArray } from './int-array';
import { encodeNpyHeader, NpyDType, NpyHeader, openNpy } from './npy';
import { commitTemps, createTempPath, discardTemp } from './temp-files';

export interface IndexMapKey {
  /** Data prefix (no extension). */
  dataPrefix: string;
  /** "train"/"valid"/"test" (data_path mode) or "train_0", … (path-list mode). */
  name: string;
  /** Requested samples, exactly as GPT-NeoX formats it into the name. */
  numSamples: number;
  seqLength: number;
  seed: number;
  packImpl?: string;
  allowChopped?: boolean;
}

export interface IndexMapFiles {
  docIdx: string;
  sampleIdx: string;
  shuffleIdx: string;
}

/** `{prefix}_{name}_indexmap_{ns}ns_{sl}sl_{seed}s_{pack}pi[_ac]_{doc,sample,shuffle}_idx.npy`. */
export function indexMapFiles(key: IndexMapKey): IndexMapFiles {
  const base = `${key.dataPrefix}_${key.name}_indexmap_${key.numSamples}ns_${key.seqLength}sl_${key.seed}s_${key.packImpl ?? 'packed'}pi${key.allowChopped ?? true ? '_ac' : ''}`;
  return { docIdx: `${base}_doc_idx.npy`, sampleIdx: `${base}_sample_idx.npy`, shuffleIdx: `${base}_shuffle_idx.npy` };
}

/** Index maps as random-access arrays; sampleIdx is flat (row r = entries 2r, 2r + 1). */
export interface IndexMaps {
  plan: IndexPlan;
  docIdx: IntArray;
  sampleIdx: IntArray;
  shuffleIdx: IntArray;
  files: IndexMapFiles;
  /** True when this call built (and wrote) the maps, false when it loaded them. */
  built: boolean;
  /** Closes the files of paged arrays (the arrays are unusable afterwards). */
  close(): void;
}

export interface IndexMapOptions {
  /** Build and write missing caches (default true); false turns a missing cache into an error. */
  build?: boolean;
  /** Arrays up to this many bytes are loaded whole, larger ones paged. */
  residentLimit?: number;
  log?: (line: string) => void;
}

/** Loads the cached maps for `key` if all three files exist, else builds and writes them. */
export function loadOrBuildIndexMaps(key: IndexMapKey, sizes: Int32Array, range: DocumentRange, options: IndexMapOptions = {}): IndexMaps {
  const files = indexMapFiles(key);
  const plan = planIndex(sizes, range, key.numSamples, key.seqLength);
  if (existsSync(files.docIdx) && existsSync(files.sampleIdx) && existsSync(files.shuffleIdx)) {
    return { plan, files, built: false, ...loadIndexMaps(files, plan, range, options.residentLimit) };
  }
  if (options.build === false) {
    throw new FileError(files.docIdx, `index maps for ${key.name} are not built (${files.docIdx} and its two siblings are missing); build them first (neox dataset samples CONFIG builds them) or allow building`);
  }
  const started = Date.now();
  const maps = buildIndexMaps(sizes, range, key.numSamples, key.seqLength, key.seed);
  writeIndexMaps(files, maps);
  options.log?.(`built ${key.name} index maps: ${plan.totalSamples} samples, ${plan.numEpochs} epoch(s), in ${((Date.now() - started) / 1000).toFixed(1)} s → ${files.docIdx.replace(/_doc_idx\.npy$/, '_*.npy')}`);
  return {
    plan, files, built: true,
    docIdx: new ResidentIntArray(maps.docIdx),
    sampleIdx: new ResidentIntArray(maps.sampleIdx),
    shuffleIdx: new ResidentIntArray(maps.shuffleIdx),
    close: () => undefined,
  };
}

/** Writes the three arrays as `np.save` would, each atomically. */
export function writeIndexMaps(files: IndexMapFiles, maps: BuiltIndexMaps): void {
  const rows = maps.sampleIdx.length / 2;
  const entries: Array<[string, NpyDType, number[], ResidentTypedArray]> = [
    [files.docIdx, 'int32', [maps.docIdx.length], maps.docIdx],
    [files.sampleIdx, maps.plan.sampleIdxDtype, [rows, 2], maps.sampleIdx],
    [files.shuffleIdx, maps.plan.shuffleIdxDtype, [maps.shuffleIdx.length], maps.shuffleIdx],
  ];
  const temps: Array<{ temp: string; final: string }> = [];
  try {
    for (const [path, dtype, shape, values] of entries) {
      const temp = createTempPath(path);
      temps.push({ temp, final: path });
      writeNpy(temp, dtype, shape, values);
    }
  } catch (error) {
    temps.forEach(({ temp }) => discardTemp(temp));
    throw error;
  }
  commitTemps(temps);
}

function writeNpy(path: string, dtype: NpyDType, shape: number[], values: ResidentTypedArray): void {
  const fd = openSync(path, 'wx');
  try {
    const header = encodeNpyHeader(dtype, shape);
    const out = new BufferedWriter(fd, 0);
    out.write(header);
    if (dtype === 'int64') {
      for (let i = 0; i < values.length; i++) out.writeInt64(values[i]!);
    } else {
      // int32 / uint32 typed arrays already hold the little-endian bytes.
      const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
      for (let start = 0; start < bytes.length; start += 1 << 26) out.write(bytes.subarray(start, start + (1 << 26)));
    }
    out.flush();
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function loadIndexMaps(files: IndexMapFiles, plan: IndexPlan, range: DocumentRange, residentLimit?: number): Pick<IndexMaps, 'docIdx' | 'sampleIdx' | 'shuffleIdx' | 'close'> {
  const open: number[] = [];
  const close = () => open.splice(0).forEach((fd) => closeSync(fd));
  try {
    const docIdx = loadChecked(files.docIdx, [plan.docIdxLength], residentLimit, range, open);
    const sampleIdx = loadChecked(files.sampleIdx, [plan.totalSamples + 1, 2], residentLimit, range, open);
    const shuffleIdx = loadChecked(files.shuffleIdx, [plan.totalSamples], residentLimit, range, open);
    return { docIdx, sampleIdx, shuffleIdx, close };
  } catch (error) {
    close();
    throw error;
  }
}

/** Loads one cache array; a paged array's fd is added to `open` (resident ones are closed here). */
function loadChecked(path: string, shape: number[], residentLimit: number | undefined, range: DocumentRange, open: number[]): IntArray {
  const { fd, header } = openNpy(path);
  try {
    checkShape(path, header, shape, range);
    const count = shape.reduce((a, b) => a * b, 1);
    const array = fileIntArray(fd, header.dataOffset, count, header.dtype, residentLimit);
    if (array instanceof ResidentIntArray) closeSync(fd);
    else open.push(fd);
    return array;
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

function checkShape(path: string, header: NpyHeader, shape: number[], range: DocumentRange): void {
  if (header.shape.length !== shape.length || header.shape.some((d, i) => d !== shape[i])) {
    const show = (s: number[]) => `(${s.join(', ')}${s.length === 1 ? ',' : ''})`;
    throw new FileError(path, `${path} has shape ${show(header.shape)} but documents [${range.start}, ${range.end}) of the data need ${show(shape)}: the cache was built for other data; delete the three *_indexmap_* files of this name so they are rebuilt`);
  }
}

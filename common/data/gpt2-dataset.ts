/**
 * GPT-NeoX's GPT2Dataset (`pack_impl: packed`): sample i is stream tokens [j·S, j·S + S] with
 * j = shuffle_idx[i], read across document boundaries through doc_idx and sample_idx.
 */
import { IndexMaps } from './index-cache';
import { IndexedDataset } from './indexed-dataset';
import { SampleSource } from './sample-source';

export class GPT2Dataset implements SampleSource {
  readonly length: number;

  constructor(
    readonly name: string,
    readonly data: IndexedDataset,
    readonly maps: Pick<IndexMaps, 'docIdx' | 'sampleIdx' | 'shuffleIdx'>,
    readonly seqLength: number,
  ) {
    // GPT-NeoX: min(len(shuffle_idx) − 1, rows(sample_idx) − 1), so the last shuffled sample is never served.
    this.length = Math.max(0, Math.min(maps.shuffleIdx.length - 1, maps.sampleIdx.length / 2 - 1));
  }

  getSample(index: number): Int32Array {
    const out = new Int32Array(this.seqLength + 1);
    this.getSampleInto(index, out);
    return out;
  }

  getSampleInto(index: number, out: Int32Array): void {
    if (!Number.isInteger(index) || index < 0) throw new RangeError(`sample index ${index} of ${this.name} must be a non-negative integer`);
    if (this.length === 0) throw new RangeError(`${this.name} has no samples`);
    const { docIdx, sampleIdx, shuffleIdx } = this.maps;
    // As GPT-NeoX: any index shuffle_idx holds is served (including `length`, the one past the
    // end), larger ones wrap modulo the length.
    const j = shuffleIdx.get(index < shuffleIdx.length ? index : index % this.length);
    const firstPosition = sampleIdx.get(2 * j);
    const firstOffset = sampleIdx.get(2 * j + 1);
    const lastPosition = sampleIdx.get(2 * j + 2);
    const lastOffset = sampleIdx.get(2 * j + 3);
    const want = this.seqLength + 1;
    let filled = 0;
    const take = (item: number, offset: number, length: number) => {
      const n = Math.min(length, want - filled);
      if (n > 0) this.data.readInto(item, offset, n, out, filled);
      filled += n;
    };
    if (firstPosition === lastPosition) {
      take(docIdx.get(firstPosition), firstOffset, lastOffset - firstOffset + 1);
    } else {
      const first = docIdx.get(firstPosition);
      take(first, firstOffset, this.data.sizes[first]! - firstOffset);
      for (let p = firstPosition + 1; p < lastPosition; p++) {
        const item = docIdx.get(p);
        take(item, 0, this.data.sizes[item]!);
      }
      take(docIdx.get(lastPosition), 0, lastOffset + 1);
    }
    // GPT-NeoX pads a short sample with −100 (never happens for packed maps built from these sizes).
    out.fill(-100, filled, want);
  }
}

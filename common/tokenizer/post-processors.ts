/**
 * Hugging Face post-processors (tokenizer.json "post_processor") for one sequence, as
 * encode(text) applies them (add_special_tokens = true): ids → ids.
 */
export type PostProcessor = (ids: number[]) => number[];

/** TemplateProcessing "single": pieces are either fixed special-token ids or the sequence itself. */
export function templateProcessor(pieces: Array<number[] | 'sequence'>): PostProcessor {
  return (ids) => {
    const out: number[] = [];
    for (const piece of pieces) {
      if (piece === 'sequence') {
        for (let k = 0; k < ids.length; k++) out.push(ids[k]!);
      } else {
        out.push(...piece);
      }
    }
    return out;
  };
}

/** RobertaProcessing / BertProcessing for one sequence: cls, ids, sep. */
export function clsSepProcessor(cls: number, sep: number): PostProcessor {
  return (ids) => [cls, ...ids, sep];
}

export function sequenceProcessor(processors: PostProcessor[]): PostProcessor {
  return (ids) => processors.reduce((acc, p) => p(acc), ids);
}

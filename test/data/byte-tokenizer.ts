/**
 * A test-only tokenizer: token ids are the UTF-8 bytes of the text, EOD is 256. Loaded by
 * preprocessing workers through a TokenizerSource; `vocabSize` can be raised to force int32
 * output, and `spinMicros` slows each encode down (to interrupt a run mid-way).
 */
export interface ByteTokenizerArgs {
  vocabSize?: number;
  spinMicros?: number;
}

export function createByteTokenizer(args: ByteTokenizerArgs = {}) {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  return {
    type: 'ByteTokenizer',
    vocabSize: args.vocabSize ?? 257,
    eod: 256,
    encode(text: string): number[] {
      if (args.spinMicros) {
        const until = process.hrtime.bigint() + BigInt(args.spinMicros) * 1000n;
        while (process.hrtime.bigint() < until);
      }
      return Array.from(encoder.encode(text));
    },
    decode(ids: ArrayLike<number>): string {
      return decoder.decode(Uint8Array.from(Array.from(ids).filter((id) => id < 256)));
    },
    tokenToId: (token: string) => (token.length === 1 && token.charCodeAt(0) < 256 ? token.charCodeAt(0) : undefined),
    idToToken: (id: number) => (id < 256 ? String.fromCharCode(id) : undefined),
  };
}

/**
 * GPT-2's byte-level alphabet: each of the 256 byte values is shown as one printable character
 * (printable Latin-1 bytes stand for themselves, the other 68 take U+0100.. in byte order). This is
 * the published mapping every byte-level BPE vocabulary is written in.
 */

function buildByteToChar(): string[] {
  const table = new Array<string>(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    table[b] = String.fromCharCode(printable ? b : 256 + extra++);
  }
  return table;
}

/** byte value → its stand-in character. */
export const BYTE_TO_CHAR: readonly string[] = buildByteToChar();

/** stand-in character code → byte value, -1 for characters outside the alphabet. */
export const CHAR_CODE_TO_BYTE: Int16Array = (() => {
  const table = new Int16Array(512).fill(-1);
  BYTE_TO_CHAR.forEach((ch, b) => (table[ch.charCodeAt(0)] = b));
  return table;
})();

/**
 * Writes the UTF-8 bytes of `text` into `out` (grown when needed) and returns the byte count.
 * A lone surrogate becomes U+FFFD, as TextEncoder does.
 */
export function utf8Bytes(text: string, out: { buf: Uint8Array }): number {
  let buf = out.buf;
  if (buf.length < text.length * 3) buf = out.buf = new Uint8Array(text.length * 3 + 16);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      buf[n++] = c;
    } else if (c < 0x800) {
      buf[n++] = 0xc0 | (c >> 6);
      buf[n++] = 0x80 | (c & 63);
    } else {
      if (c >= 0xd800 && c <= 0xdfff) {
        const d = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
          const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
          buf[n++] = 0xf0 | (cp >> 18);
          buf[n++] = 0x80 | ((cp >> 12) & 63);
          buf[n++] = 0x80 | ((cp >> 6) & 63);
          buf[n++] = 0x80 | (cp & 63);
          continue;
        }
        c = 0xfffd;
      }
      buf[n++] = 0xe0 | (c >> 12);
      buf[n++] = 0x80 | ((c >> 6) & 63);
      buf[n++] = 0x80 | (c & 63);
    }
  }
  return n;
}

/** `text` written in the byte-level alphabet (what a ByteLevel pre-tokenizer hands the model). */
export function toByteLevel(text: string): string {
  const scratch = { buf: new Uint8Array(0) };
  const n = utf8Bytes(text, scratch);
  let s = '';
  for (let i = 0; i < n; i++) s += BYTE_TO_CHAR[scratch.buf[i]!];
  return s;
}

const lossyDecoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** Decodes bytes as UTF-8, invalid sequences becoming U+FFFD (maximal subparts, like Rust's lossy decode). */
export function decodeUtf8Lossy(bytes: Uint8Array): string {
  return lossyDecoder.decode(bytes);
}

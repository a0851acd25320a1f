/**
 * Added tokens (tokenizer.json "added_tokens"), with Hugging Face's rules:
 * - ids are assigned as `add_tokens` does when a file is loaded: a content already in the model
 *   vocabulary (or added before) keeps that id, a new one gets the next id past the model
 *   vocabulary and the largest added id — the ids written in the file are not trusted;
 * - tokens with normalized=false are found in the raw text, the others in the normalized text
 *   (their content normalized too), leftmost-longest, before pre-tokenization;
 * - single_word needs no word character on either side; lstrip/rstrip swallow the whitespace on
 *   that side (searching resumes after the token itself, so a stripped space can still match);
 * - a normalized token decodes as its normalized content (so the decoder can invert it), while
 *   tokenToId takes the content as written.
 */
import { escapeLiteral } from './regex-translate';
import { endsWithWordChar, leadingWhitespaceLength, startsWithWordChar, trailingWhitespaceStart } from './unicode-classes';

export interface AddedToken {
  content: string;
  singleWord: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

export interface ModelVocabulary {
  tokenToId(token: string): number | undefined;
  readonly vocabSize: number;
}

/** Finds one class of added tokens (raw or normalized) in a text. */
class Matcher {
  constructor(
    private readonly re: RegExp,
    private readonly idOf: Map<string, number>,
    private readonly tokenOf: Map<number, AddedToken>,
  ) {}

  /** Calls onText for text between tokens (with its start offset) and onToken for each token id. */
  split(text: string, onText: (piece: string, start: number) => void, onToken: (id: number) => void): void {
    const re = this.re;
    re.lastIndex = 0;
    let offset = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      let start = m.index;
      let stop = start + m[0].length;
      const id = this.idOf.get(m[0])!;
      const token = this.tokenOf.get(id)!;
      if (token.singleWord) {
        const wordBefore = start > 0 && endsWithWordChar(text.slice(Math.max(0, start - 2), start));
        const wordAfter = stop < text.length && startsWithWordChar(text.slice(stop, stop + 2));
        if (wordBefore || wordAfter) continue;
      }
      if (token.lstrip) start = Math.max(trailingWhitespaceStart(text.slice(0, start)), offset);
      if (token.rstrip) stop += leadingWhitespaceLength(text, stop);
      if (offset < start) onText(text.slice(offset, start), offset);
      onToken(id);
      offset = stop;
    }
    if (offset < text.length) onText(offset === 0 ? text : text.slice(offset), offset);
  }
}

export class AddedVocabulary {
  private readonly idOfContent = new Map<string, number>();
  private readonly tokenOfId = new Map<number, AddedToken>();
  private readonly specialContents = new Set<string>();
  /** What each id decodes as: the content, normalized for normalized tokens. */
  private readonly decodeForm = new Map<number, string>();
  /** Matches non-normalized tokens in raw text; null when there are none. */
  readonly raw: Matcher | null;
  /** Matches normalized tokens in normalized text; null when there are none. */
  readonly normalized: Matcher | null;

  constructor(tokens: AddedToken[], model: ModelVocabulary, normalize: ((text: string) => string) | null) {
    const specials: AddedToken[] = [];
    const classic: AddedToken[] = [];
    for (const t of tokens) {
      if (t.special && t.content.length > 0 && !this.specialContents.has(t.content)) {
        specials.push(t);
        this.specialContents.add(t.content);
      }
    }
    const same = (a: AddedToken, b: AddedToken): boolean =>
      a.content === b.content && a.singleWord === b.singleWord && a.lstrip === b.lstrip && a.rstrip === b.rstrip &&
      a.normalized === b.normalized && a.special === b.special;
    for (const t of tokens) {
      if (t.content.length === 0 || [...this.tokenOfId.values()].some((v) => same(v, t))) continue;
      let id = this.idOfContent.get(t.content) ?? model.tokenToId(t.content);
      if (id === undefined) {
        let max = -1;
        for (const v of this.idOfContent.values()) max = Math.max(max, v);
        id = max < 0 ? model.vocabSize : max >= model.vocabSize || model.vocabSize === 0 ? max + 1 : model.vocabSize;
      }
      this.idOfContent.set(t.content, id);
      this.tokenOfId.set(id, t);
      if (!this.specialContents.has(t.content)) classic.push(t);
    }
    for (const [id, t] of this.tokenOfId) {
      this.decodeForm.set(id, t.normalized && normalize !== null ? normalize(t.content) : t.content);
    }
    const ordered = [...specials, ...classic];
    this.raw = this.buildMatcher(ordered.filter((t) => !t.normalized), (s) => s);
    this.normalized = this.buildMatcher(ordered.filter((t) => t.normalized), normalize ?? ((s) => s));
  }

  private buildMatcher(tokens: AddedToken[], normalize: (text: string) => string): Matcher | null {
    const idOf = new Map<string, number>();
    for (const t of tokens) {
      const pattern = normalize(t.content);
      if (pattern.length > 0 && !idOf.has(pattern)) idOf.set(pattern, this.idOfContent.get(t.content)!);
    }
    if (idOf.size === 0) return null;
    // Longest first: at the leftmost position the first alternative that matches is the longest.
    const alternatives = [...idOf.keys()].sort((a, b) => b.length - a.length).map((a) => escapeLiteral(a));
    return new Matcher(new RegExp(alternatives.join('|'), 'gu'), idOf, this.tokenOfId);
  }

  /** Number of distinct added contents. */
  get size(): number {
    return this.idOfContent.size;
  }

  contents(): IterableIterator<[string, number]> {
    return this.idOfContent.entries();
  }

  tokenToId(content: string): number | undefined {
    return this.idOfContent.get(content);
  }

  idToToken(id: number): string | undefined {
    return this.decodeForm.get(id);
  }

  isSpecial(content: string): boolean {
    return this.specialContents.has(content);
  }
}

/**
 * One completion choice from prompt to finish: the echoed prompt with its scores, then one sampled
 * token per model step, stopping at max_tokens, the end-of-document token or a stop string. Keeps
 * one log-probability entry per token (prompt and generated, the end-of-document token and the one
 * that completed a stop string included) and the text, which excludes both.
 */
import type { ApiError } from './api-error';
import type { CompletionRequest } from './completion-request';
import { IncrementalDecoder } from './incremental-decoder';
import type { PrefillInput, PrefillOutput, TokenLogprob } from './language-model';
import type { RandomSource } from './random';
import { sampleToken } from './sampler';
import type { SequenceJob } from './scheduler';
import type { StopStrings } from './stop-strings';
import type { TokenText } from './token-text';
import { topLogprobs } from './top-logprobs';

export type FinishReason = 'stop' | 'length';

export interface LogprobEntry {
  id: number;
  /** null for the first prompt token (it has no context). */
  logprob: number | null;
  top: TokenLogprob[] | null;
  /** Character offset of the token's text in the choice's text. */
  offset: number;
}

export interface ChoiceListener {
  /** New text or entries may be available (streaming reads them with takeDelta). */
  progress(choice: ChoiceRun): void;
  /** Called once: finished (error null) or failed. */
  settled(choice: ChoiceRun, error: ApiError | null): void;
}

export interface ChoiceSetup {
  index: number;
  prompt: Int32Array;
  request: CompletionRequest;
  eod: number;
  text: TokenText;
  stops: StopStrings;
  random: RandomSource;
  listener: ChoiceListener;
}

export class ChoiceRun implements SequenceJob {
  readonly index: number;
  readonly prefill: PrefillInput;
  readonly entries: LogprobEntry[] = [];
  finishReason: FinishReason | null = null;
  generatedTokens = 0;
  cancelled = false;
  private settled = false;
  private readonly promptText: string;
  private readonly decoder: IncrementalDecoder;
  /** Where a stop string starts in the generated text, once one has. */
  private stopAt = -1;
  private releasedText = 0;
  private releasedEntries = 0;

  constructor(private readonly setup: ChoiceSetup) {
    const { prompt, request, text } = setup;
    this.index = setup.index;
    const scored = request.echo && request.logprobs !== null && prompt.length > 1;
    this.prefill = {
      tokens: prompt.length > 0 ? prompt : Int32Array.of(setup.eod),
      scoreTopK: scored ? request.logprobs : null,
      keep: request.maxTokens > 0,
    };
    this.promptText = request.echo ? this.echoPrompt() : '';
    this.decoder = new IncrementalDecoder(text, prompt);
  }

  /** Whether the model has anything to compute (not for max_tokens 0 without prompt scores). */
  get needsModel(): boolean {
    return this.prefill.keep || this.prefill.scoreTopK !== null;
  }

  /** The text so far: the echoed prompt, then the generated text up to any stop string. */
  get text(): string {
    const generated = this.decoder.text;
    return this.promptText + (this.stopAt >= 0 ? generated.slice(0, this.stopAt) : generated);
  }

  private echoPrompt(): string {
    const decoder = new IncrementalDecoder(this.setup.text);
    for (const id of this.setup.prompt) {
      this.entries.push({ id, logprob: null, top: null, offset: decoder.text.length });
      decoder.push(id);
    }
    decoder.flush();
    return decoder.text;
  }

  /** Finishes without the model (max_tokens 0 and nothing to score). */
  finishNow(): void {
    this.finish('length');
  }

  afterPrefill(output: PrefillOutput): number | null {
    if (this.prefill.scoreTopK !== null) {
      const positions = output.positions;
      if (positions === null || positions.length !== this.setup.prompt.length - 1) {
        throw new Error(`the model scored ${positions?.length ?? 'no'} positions of a ${this.setup.prompt.length}-token prompt`);
      }
      positions.forEach((p, k) => {
        const entry = this.entries[k + 1]!;
        entry.logprob = p.logprob;
        entry.top = p.top;
      });
    }
    if (!this.prefill.keep) {
      this.finish('length');
      return null;
    }
    if (output.next === null) throw new Error('the model returned no next-token row for a sequence that continues');
    return this.afterDecode(output.next);
  }

  afterDecode(row: Float32Array): number | null {
    const { request, eod } = this.setup;
    const token = sampleToken(row, request.sampling, this.setup.random);
    const before = this.decoder.text.length;
    this.entries.push({
      id: token,
      logprob: row[token]!,
      top: request.logprobs === null ? null : topLogprobs(row, request.logprobs),
      offset: this.promptText.length + before,
    });
    this.generatedTokens++;
    if (token === eod) {
      this.finish('stop');
      return null;
    }
    this.decoder.push(token);
    if (this.checkStop(before)) return null;
    if (this.generatedTokens >= request.maxTokens) {
      this.finish('length');
      return null;
    }
    this.setup.listener.progress(this);
    return token;
  }

  /** Finishes with 'stop' when the text since `from` completed a stop string. */
  private checkStop(from: number): boolean {
    const at = this.setup.stops.find(this.decoder.text, from);
    if (at < 0) return false;
    this.stopAt = at;
    // The tokens that completed the stop string point at most at the end of the cut text.
    const end = this.text.length;
    for (const entry of this.entries) entry.offset = Math.min(entry.offset, end);
    this.finish('stop');
    return true;
  }

  private finish(reason: FinishReason): void {
    if (this.stopAt < 0) {
      const before = this.decoder.text.length;
      this.decoder.flush();
      if (this.checkStop(before)) return;
    }
    this.finishReason = reason;
    this.settle(null);
  }

  fail(error: ApiError): void {
    this.settle(error);
  }

  private settle(error: ApiError | null): void {
    if (this.settled) return;
    this.settled = true;
    this.setup.listener.settled(this, error);
  }

  /** Text and entries not handed out yet; text that may still turn into a stop string waits. */
  takeDelta(): { text: string; entries: LogprobEntry[] } {
    const text = this.text;
    const safeEnd = this.finishReason !== null ? text.length : Math.max(this.promptText.length, text.length - this.setup.stops.holdBack);
    const piece = safeEnd > this.releasedText ? text.slice(this.releasedText, safeEnd) : '';
    this.releasedText = Math.max(this.releasedText, safeEnd);
    const entries = this.entries.slice(this.releasedEntries);
    this.releasedEntries = this.entries.length;
    return { text: piece, entries };
  }
}

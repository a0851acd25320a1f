/**
 * POST /v1/completions: checks the request, starts one ChoiceRun per prompt × n on the shared
 * scheduler, and answers with one JSON object, or, with "stream": true, with server-sent events as
 * tokens arrive. A client that disconnects cancels its sequences.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';

import type { ApiError } from './api-error';
import { ChoiceRun } from './choice-run';
import { chunkJson, choiceJson, type CompletionHeader, completionJson, logprobsJson, usage } from './completion-format';
import { type CompletionRequest, parseCompletionRequest } from './completion-request';
import { EventStream, sendError, sendJson } from './http-io';
import type { LanguageModel } from './language-model';
import { freshSeed, seededRandom } from './random';
import type { JsonBody } from './request-fields';
import type { Scheduler } from './scheduler';
import { StopStrings } from './stop-strings';
import type { TokenText } from './token-text';

export interface ServedModel {
  name: string;
  model: LanguageModel;
  scheduler: Scheduler;
  text: TokenText;
  /** Receives one line per server-side failure. */
  log: (line: string) => void;
}

export function handleCompletions(body: JsonBody, served: ServedModel, response: ServerResponse): void {
  const request = parseCompletionRequest(body, served.name, served.model);
  const header: CompletionHeader = { id: `cmpl-${randomUUID().replace(/-/g, '')}`, created: Math.floor(Date.now() / 1000), model: request.model };
  const output = request.stream ? new StreamedOutput(header, request, served, response) : new WholeOutput(header, request, served, response);
  const choices = createChoices(request, served, output);
  output.attach(choices);
  served.scheduler.submit(choices.filter((c) => c.needsModel)); // throws 503/400 before anything is written
  output.open();
  response.on('close', () => {
    if (!output.complete) for (const c of choices) c.cancelled = true;
  });
  for (const c of choices) if (!c.needsModel) c.finishNow();
}

function createChoices(request: CompletionRequest, served: ServedModel, output: Output): ChoiceRun[] {
  const seed = request.seed ?? freshSeed();
  const stops = new StopStrings(request.stop);
  const eod = served.model.tokenizer.eod;
  const choices: ChoiceRun[] = [];
  request.prompts.forEach((prompt, i) => {
    for (let j = 0; j < request.n; j++) {
      const index = i * request.n + j;
      choices.push(new ChoiceRun({ index, prompt, request, eod, text: served.text, stops, random: seededRandom(seed, index), listener: output }));
    }
  });
  return choices;
}

abstract class Output {
  complete = false;
  protected choices: ChoiceRun[] = [];
  private pending = 0;

  constructor(
    protected readonly header: CompletionHeader,
    protected readonly request: CompletionRequest,
    protected readonly served: ServedModel,
    protected readonly response: ServerResponse,
  ) {}

  attach(choices: ChoiceRun[]): void {
    this.choices = choices;
    this.pending = choices.length;
  }

  /** Called once the request is accepted; a stream sends its headers here. */
  open(): void {}

  progress(_choice: ChoiceRun): void {}

  settled(choice: ChoiceRun, error: ApiError | null): void {
    if (this.complete) return;
    if (error !== null) {
      this.complete = true;
      for (const c of this.choices) c.cancelled = true;
      if (error.status >= 500) this.served.log(`neox serve: ${this.header.id}: ${error.message}`);
      this.failed(error);
      return;
    }
    this.finished(choice);
    if (--this.pending === 0) {
      this.complete = true;
      // Built on its own turn of the event loop: many requests finishing in one model step do not
      // format all their answers in one stretch.
      setImmediate(() => this.done());
    }
  }

  protected usage() {
    const promptTokens = this.request.prompts.reduce((sum, p) => sum + p.length, 0);
    return usage(promptTokens, this.choices.reduce((sum, c) => sum + c.generatedTokens, 0));
  }

  protected finished(_choice: ChoiceRun): void {}
  protected abstract failed(error: ApiError): void;
  protected abstract done(): void;
}

class WholeOutput extends Output {
  protected failed(error: ApiError): void {
    sendError(this.response, error);
  }

  protected done(): void {
    const withLogprobs = this.request.logprobs !== null;
    const choices = this.choices.map((c) => choiceJson(c, withLogprobs, this.served.text));
    sendJson(this.response, 200, completionJson(this.header, choices, this.usage()));
  }
}

class StreamedOutput extends Output {
  private stream: EventStream | null = null;

  override open(): void {
    this.stream = new EventStream(this.response);
  }

  override progress(choice: ChoiceRun): void {
    this.sendDelta(choice);
  }

  protected override finished(choice: ChoiceRun): void {
    this.sendDelta(choice);
  }

  private sendDelta(choice: ChoiceRun): void {
    const delta = choice.takeDelta();
    const withLogprobs = this.request.logprobs !== null && delta.entries.length > 0;
    if (delta.text === '' && !withLogprobs && choice.finishReason === null) return;
    const logprobs = this.request.logprobs === null ? null : logprobsJson(delta.entries, this.served.text);
    this.stream!.send(chunkJson(this.header, [{ index: choice.index, text: delta.text, logprobs, finish_reason: choice.finishReason }]));
  }

  protected failed(error: ApiError): void {
    this.stream!.send(error.body());
    this.stream!.end(false);
  }

  protected done(): void {
    if (this.request.includeUsage) this.stream!.send(chunkJson(this.header, [], this.usage()));
    this.stream!.end(true);
  }
}

/**
 * Task documents from local jsonl files (one JSON object per line; blank lines skipped):
 *   multiple choice: {"question": string, "choices": [string, ...], "answer": index}
 *   last word:       {"text": string}
 * Each bad line is refused with its file, line number and the field at fault.
 */
import { existsSync, readFileSync } from 'node:fs';

import { EvalTaskError } from './errors';

export interface MultipleChoiceDoc {
  question: string;
  choices: string[];
  answer: number;
}

export interface LastWordDoc {
  text: string;
}

function readLines(path: string): { line: number; value: Record<string, unknown> }[] {
  if (!existsSync(path)) throw new EvalTaskError(`task file ${path} does not exist`);
  const out: { line: number; value: Record<string, unknown> }[] = [];
  readFileSync(path, 'utf8').split('\n').forEach((text, i) => {
    if (text.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new EvalTaskError(`${path}:${i + 1} is not JSON (${(error as Error).message}); each line must be one JSON object`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new EvalTaskError(`${path}:${i + 1} is not a JSON object`);
    out.push({ line: i + 1, value: value as Record<string, unknown> });
  });
  if (out.length === 0) throw new EvalTaskError(`task file ${path} has no documents`);
  return out;
}

export function readMultipleChoice(path: string): MultipleChoiceDoc[] {
  return readLines(path).map(({ line, value }) => {
    const { question, choices, answer } = value;
    const where = `${path}:${line}`;
    if (typeof question !== 'string') throw new EvalTaskError(`${where}: "question" must be a string (the context each choice continues)`);
    if (!Array.isArray(choices) || choices.length < 2 || !choices.every((c) => typeof c === 'string' && c !== '')) {
      throw new EvalTaskError(`${where}: "choices" must be a list of at least two non-empty strings`);
    }
    if (typeof answer !== 'number' || !Number.isInteger(answer) || answer < 0 || answer >= choices.length) {
      throw new EvalTaskError(`${where}: "answer" is ${JSON.stringify(answer)}; it must be the index (0 … ${choices.length - 1}) of the right choice`);
    }
    return { question, choices: choices as string[], answer };
  });
}

export function readLastWord(path: string): LastWordDoc[] {
  return readLines(path).map(({ line, value }) => {
    const text = value.text;
    if (typeof text !== 'string' || !text.includes(' ')) {
      throw new EvalTaskError(`${path}:${line}: "text" must be a string of at least two space-separated words (the last one is predicted)`);
    }
    return { text };
  });
}

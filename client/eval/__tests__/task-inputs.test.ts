import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { readLastWord, readMultipleChoice } from '../task-files';
import { parseTaskSpecs } from '../task-spec';

const dir = mkdtempSync(join(tmpdir(), 'neox-eval-tasks-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

test('--tasks: KIND:PATH items, named after the file or NAME=; bad kinds and duplicate names refused', (t) => {
  t.deepEqual(parseTaskSpecs('mc:tasks/arc.jsonl, wiki=ppl:data/valid_text_document'), [
    { name: 'arc', kind: 'mc', path: 'tasks/arc.jsonl' },
    { name: 'wiki', kind: 'ppl', path: 'data/valid_text_document' },
  ]);
  t.throws(() => parseTaskSpecs('mcq:x.jsonl'), { message: /task "mcq:x.jsonl" is not KIND:PATH with KIND one of mc, lastword, ppl/ });
  t.throws(() => parseTaskSpecs('mc:a/x.jsonl,lastword:b/x.jsonl'), { message: /two tasks are named x; name one explicitly with NAME=KIND:PATH/ });
  t.throws(() => parseTaskSpecs(' , '), { message: /--tasks is empty/ });
});

test('task files: each bad line is named with its file, line and field', (t) => {
  const file = join(dir, 'mc.jsonl');
  writeFileSync(file, '{"question": "q", "choices": ["a", "b"], "answer": 1}\n\n{"question": "q", "choices": ["a", "b"], "answer": 2}\n');
  t.throws(() => readMultipleChoice(file), { message: new RegExp(`${file}:3: "answer" is 2; it must be the index \\(0 … 1\\)`) });
  writeFileSync(file, '{"question": "q", "choices": ["a", "b"], "answer": 1}\n');
  t.deepEqual(readMultipleChoice(file), [{ question: 'q', choices: ['a', 'b'], answer: 1 }]);
  writeFileSync(file, 'not json\n');
  t.throws(() => readMultipleChoice(file), { message: new RegExp(`${file}:1 is not JSON`) });
  const words = join(dir, 'words.jsonl');
  writeFileSync(words, '{"text": "single"}\n');
  t.throws(() => readLastWord(words), { message: /"text" must be a string of at least two space-separated words/ });
  t.throws(() => readLastWord(join(dir, 'missing.jsonl')), { message: /task file .*missing\.jsonl does not exist/ });
});

/**
 * GPT-NeoX's own config files (test/fixtures/neox-configs/, and /work/shared/neox-configs/ when
 * present) and ours (configs/pythia/): each loads alone as `config show` loads it, and each file
 * parses to exactly what PyYAML (GPT-NeoX's reader) makes of it.
 */
import test from 'ava';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

import { loadConfig } from '../../common/config';
import { parseConfigText } from '../../common/config/neox-yaml';
import { packageRoot } from '../../common/paths';
import { runOracle } from '../oracle/python';
import { neox } from './neox';

const root = packageRoot();

function yamlFilesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFilesUnder(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

const fixtureFiles = yamlFilesUnder(join(root, 'test', 'fixtures', 'neox-configs'));
const sharedFiles = yamlFilesUnder('/work/shared/neox-configs');
const pythiaFiles = yamlFilesUnder(join(root, 'configs', 'pythia'));

test('the fixture directory holds GPT-NeoX\'s files, including the empty one named pythia/*.yml', (t) => {
  const names = fixtureFiles.map((file) => relative(join(root, 'test', 'fixtures', 'neox-configs'), file)).sort();
  t.true(names.includes('pythia/*.yml'));
  t.true(names.includes('125M.yml') && names.includes('local_setup.yml'));
  t.is(readFileSync(join(root, 'test', 'fixtures', 'neox-configs', 'pythia', '*.yml'), 'utf8'), '');
  t.is(pythiaFiles.length, 10);
});

for (const file of [...fixtureFiles, ...sharedFiles, ...pythiaFiles]) {
  const name = file.startsWith(root) ? relative(root, file) : file;
  test(`${name} loads alone as config show loads it, without unknown keys`, (t) => {
    const warnings: string[] = [];
    const config = loadConfig([file], { purpose: 'show', worldSize: 4, onWarning: (m) => warnings.push(m) });
    t.is(config.world_size, 4);
    t.deepEqual(warnings.filter((warning) => warning.startsWith('unknown key')), []);
  });
}

test('each file parses to what PyYAML makes of it', (t) => {
  const files = [...fixtureFiles, ...sharedFiles, ...pythiaFiles];
  const reference = JSON.parse(runOracle(join('..', 'config', 'pyyaml_load.py'), files)) as Record<string, Record<string, unknown> | null>;
  for (const file of files) {
    const ours = Object.fromEntries(parseConfigText(readFileSync(file, 'utf8'), file).map((entry) => [entry.key, entry.value]));
    t.deepEqual(ours, reference[file] ?? {}, file);
  }
});

test('the CLI shows every GPT-NeoX fixture file alone (exit 0, JSON on stdout)', (t) => {
  for (const file of fixtureFiles) {
    const { code, stdout, stderr } = neox('config', 'show', file, '--json');
    t.is(code, 0, `${file}: ${stderr}`);
    t.is(typeof (JSON.parse(stdout) as { precision: string }).precision, 'string');
  }
});

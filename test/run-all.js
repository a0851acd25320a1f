#!/usr/bin/env node
// The project's test command (`npm test`): the native C++ tests, then every ava test, then one
// line "N passed, M failed" over both. Exits non-zero if anything failed.
// Build first (`npm ci` or `npm run build`); this script only runs what was built.
'use strict';
const { spawn } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');

/** Runs a command, echoing its output, and counts ✔ / ✘ result lines. */
function run(command, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env: process.env, ...options });
    let passed = 0;
    let failed = 0;
    let pending = '';
    const scan = (chunk, sink) => {
      sink.write(chunk);
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) {
        const trimmed = line.trim();
        if (trimmed.startsWith('✔')) passed += 1;
        else if (trimmed.startsWith('✘')) failed += 1;
      }
    };
    child.stdout.on('data', (c) => scan(c, process.stdout));
    child.stderr.on('data', (c) => scan(c, process.stderr));
    child.on('close', (code, signal) => {
      if ((code !== 0 || signal) && failed === 0) failed = 1; // crashed before reporting
      resolve({ passed, failed });
    });
  });
}

async function main() {
  const totals = { passed: 0, failed: 0 };
  const add = (r) => {
    totals.passed += r.passed;
    totals.failed += r.failed;
  };
  // Independent references (PyTorch, transformers, tokenizers) in .venv; quick when present.
  const venv = await run('bash', [join(root, 'test', 'oracle', 'setup-venv.sh')]);
  if (venv.failed) totals.failed += 1;
  // The same OpenBLAS kernel choice the addon makes (common/blas-kernels.ts), for the C++ binary.
  require(join(root, 'dist', 'common', 'blas-kernels.js')).chooseOpenblasKernels(process.env);
  const nativeTests = join(root, 'native', 'build', 'neox_native_tests');
  process.stdout.write('\n── native (C++) tests ──\n');
  if (existsSync(nativeTests)) add(await run(nativeTests, process.argv.slice(2)));
  else {
    process.stdout.write(`  ✘ native tests not built (${nativeTests}); run "npm run build"\n`);
    totals.failed += 1;
  }
  process.stdout.write('\n── TypeScript (ava) tests ──\n');
  add(await run(join(root, 'node_modules', '.bin', 'ava'), ['--color=false']));
  process.stdout.write(`\n${totals.passed} passed, ${totals.failed} failed\n`);
  process.exitCode = totals.failed === 0 ? 0 : 1;
}

main();

/**
 * `npm run bench -- <name> [args…]`: runs one benchmark. Benchmarks measure and print; they are
 * not tests. Each entry loads its module only when chosen.
 */
type Bench = (args: string[]) => Promise<void>;

const benches: Record<string, { summary: string; load: () => Bench }> = {
  preprocess: {
    summary: 'neox preprocess throughput (MB/s, tokens/s) with 1 and 2 workers vs HF tokenizers',
    load: () => (require('./preprocess') as { main: Bench }).main,
  },
  'index-maps': {
    summary: 'GPT2Dataset index maps at Pythia scale (147M samples): build and write times',
    load: () => (require('./index-maps') as { main: Bench }).main,
  },
  comm: {
    summary: 'Gloo all-reduce bus bandwidth, 2 processes on loopback, 1-256 MiB, vs memcpy',
    load: () => (require('./comm') as { main: Bench }).main,
  },
  train: {
    summary: 'training tokens/s, GFLOP/s and peak memory of the native engine vs PyTorch (Pythia-14M/70M, GPT-2 124M)',
    load: () => (require('./train') as { main: Bench }).main,
  },
  generate: {
    summary: 'greedy generation tokens/s on the KV cache at batch 1 and 8 vs transformers generate() (Pythia-70M shape)',
    load: () => (require('./generate') as { main: Bench }).main,
  },
};

async function run(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const bench = name ? benches[name] : undefined;
  if (!bench) {
    const list = Object.entries(benches).map(([n, b]) => `  ${n.padEnd(12)} ${b.summary}`).join('\n');
    process.stderr.write(`${name ? `unknown benchmark "${name}"\n` : ''}usage: npm run bench -- <name> [args]\n\n${list}\n`);
    return 2;
  }
  await bench.load()(args);
  return 0;
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);

import test from 'ava';

import { chooseOpenblasKernels, openblasCoretypeFor } from '../blas-kernels';

test('AVX-512 CPUs get the SkylakeX kernels; others are left to OpenBLAS', (t) => {
  t.is(openblasCoretypeFor(new Set(['avx2', 'avx512f', 'avx512bw', 'avx512vl'])), 'SKYLAKEX');
  t.is(openblasCoretypeFor(new Set(['avx2', 'fma'])), null);
});

test('a coretype the user set is kept', (t) => {
  const env: NodeJS.ProcessEnv = { OPENBLAS_CORETYPE: 'HASWELL' };
  t.is(chooseOpenblasKernels(env, new Set(['avx512f', 'avx512bw', 'avx512vl'])), 'HASWELL');
  t.is(env.OPENBLAS_CORETYPE, 'HASWELL');
  const fresh: NodeJS.ProcessEnv = {};
  t.is(chooseOpenblasKernels(fresh, new Set(['avx512f', 'avx512bw', 'avx512vl'])), 'SKYLAKEX');
  t.is(fresh.OPENBLAS_CORETYPE, 'SKYLAKEX');
});

import test from 'ava';

import { widenToFloat32 } from '../widen-floats';

test('fp16 bit patterns widen to their IEEE binary16 values (normal, subnormal, extremes, infinities, NaN)', (t) => {
  const cases: [number, number][] = [
    [0x0000, 0], [0x3c00, 1], [0xc000, -2], [0x3555, 0.333251953125], [0x7bff, 65504],
    [0x0001, 2 ** -24], [0x03ff, 1023 * 2 ** -24], [0x0400, 2 ** -14], [0x7c00, Infinity], [0xfc00, -Infinity],
  ];
  const out = widenToFloat32('F16', Uint16Array.from(cases.map(([bits]) => bits)), 'test');
  cases.forEach(([bits, value], i) => t.is(out[i], value, `0x${bits.toString(16)}`));
  t.true(Number.isNaN(widenToFloat32('F16', Uint16Array.of(0x7e00), 'test')[0]));
  t.true(Object.is(widenToFloat32('F16', Uint16Array.of(0x8000), 'test')[0], -0));
});

test('bf16 is the top half of a float32; F32 passes through; integer dtypes are refused', (t) => {
  const values = Float32Array.of(1, -2.5, 3.140625, 1e-20);
  const bits = new Uint32Array(values.buffer);
  const halves = Uint16Array.from(bits, (b) => b >>> 16);
  t.deepEqual([...widenToFloat32('BF16', halves, 'test')], [...Float32Array.from(bits, (b) => new Float32Array(Uint32Array.of(b & 0xffff0000).buffer)[0]!)]);
  t.is(widenToFloat32('F32', values, 'test'), values);
  t.throws(() => widenToFloat32('I32', Int32Array.of(1), 'tensor x'), { message: /tensor x has dtype I32; weights must be floating point/ });
});

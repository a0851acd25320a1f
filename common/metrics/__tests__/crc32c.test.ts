import test from 'ava';

import { crc32c, maskedCrc32c } from '../crc32c';

const ascending = Uint8Array.from({ length: 32 }, (_, i) => i);

test('CRC-32C matches the published check value and the RFC 3720 (iSCSI) vectors', (t) => {
  t.is(crc32c(Buffer.from('123456789')), 0xe3069283);
  t.is(crc32c(new Uint8Array(0)), 0);
  t.is(crc32c(new Uint8Array(32)), 0x8a9136aa);
  t.is(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
  t.is(crc32c(ascending), 0x46dd794e);
  t.is(crc32c(ascending.slice().reverse()), 0x113fdb5c);
});

test('masked CRC is rotate-right-15 plus 0xA282EAD8', (t) => {
  // By hand:
  // rotr15(0xE3069283) = (0xE3069283 >>> 15) | (0xE3069283 << 17) = 0x0001C60D | 0x25060000 = 0x2507C60D
  // 0x2507C60D + 0xA282EAD8 = 0xC78AB0E5
  t.is(maskedCrc32c(Buffer.from('123456789')), 0xc78ab0e5);
  t.is(maskedCrc32c(new Uint8Array(0)), 0xa282ead8);
});

/**
 * CRC-32C (Castagnoli), the checksum TFRecord framing uses, plus TFRecord's "masked" form.
 *
 * Facts (not code) from the TFRecord format description: polynomial 0x1EDC6F41, processed
 * bit-reflected (0x82F63B78), initial value and final XOR 0xFFFFFFFF; the masked CRC is
 * `rotr15(crc) + 0xA282EAD8` (mod 2^32). Test vector: CRC-32C("123456789") = 0xE3069283.
 */

const REFLECTED_POLYNOMIAL = 0x82f63b78;
const MASK_DELTA = 0xa282ead8;

/** TABLE[b] = CRC register after shifting the byte b through eight reflected steps. */
const TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let register = byte;
    for (let bit = 0; bit < 8; bit++) {
      register = register & 1 ? (register >>> 1) ^ REFLECTED_POLYNOMIAL : register >>> 1;
    }
    table[byte] = register >>> 0;
  }
  return table;
})();

/** CRC-32C of `data`, as an unsigned 32-bit number. */
export function crc32c(data: Uint8Array): number {
  let register = 0xffffffff;
  for (let i = 0; i < data.length; i++) {
    register = TABLE[(register ^ data[i]!) & 0xff]! ^ (register >>> 8);
  }
  return (register ^ 0xffffffff) >>> 0;
}

/** TFRecord's masked CRC-32C of `data` (what the framing stores). */
export function maskedCrc32c(data: Uint8Array): number {
  const crc = crc32c(data);
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0;
}

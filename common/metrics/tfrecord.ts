/**
 * TFRecord framing, the container of TensorBoard event files. Each record is
 *
 *   uint64 length (little-endian) | uint32 masked CRC-32C of those 8 bytes |
 *   `length` data bytes            | uint32 masked CRC-32C of the data
 *
 * (format facts from TensorFlow's record_writer/record_reader description; see crc32c.ts).
 */
import { FileError } from '../errors';
import { maskedCrc32c } from './crc32c';

const LENGTH_BYTES = 8;
const CRC_BYTES = 4;
/** Bytes a record adds around its data. */
export const RECORD_OVERHEAD = LENGTH_BYTES + 2 * CRC_BYTES;

/** Frames one record. */
export function frameRecord(data: Uint8Array): Buffer {
  const record = Buffer.allocUnsafe(RECORD_OVERHEAD + data.length);
  record.writeBigUInt64LE(BigInt(data.length), 0);
  record.writeUInt32LE(maskedCrc32c(record.subarray(0, LENGTH_BYTES)), LENGTH_BYTES);
  record.set(data, LENGTH_BYTES + CRC_BYTES);
  record.writeUInt32LE(maskedCrc32c(data), LENGTH_BYTES + CRC_BYTES + data.length);
  return record;
}

/**
 * Splits `bytes` (the whole content of `path`) into record payloads, checking both checksums of
 * every record. Throws FileError naming the byte offset of the first bad or truncated record.
 */
export function parseRecords(bytes: Buffer, path: string): Buffer[] {
  const records: Buffer[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const fail = (what: string): never => {
      throw new FileError(path, `${path}: ${what} in the record at byte ${offset}; the file is damaged, truncate it to ${offset} bytes to keep the records before it`);
    };
    if (bytes.length - offset < LENGTH_BYTES + CRC_BYTES) fail('truncated length header');
    const header = bytes.subarray(offset, offset + LENGTH_BYTES);
    const storedHeaderCrc = bytes.readUInt32LE(offset + LENGTH_BYTES);
    if (maskedCrc32c(header) !== storedHeaderCrc) fail('length checksum mismatch');
    const length = bytes.readBigUInt64LE(offset);
    const dataStart = offset + LENGTH_BYTES + CRC_BYTES;
    if (length > BigInt(bytes.length - dataStart - CRC_BYTES)) fail(`truncated data (${length} bytes announced)`);
    const dataEnd = dataStart + Number(length);
    const data = bytes.subarray(dataStart, dataEnd);
    if (maskedCrc32c(data) !== bytes.readUInt32LE(dataEnd)) fail('data checksum mismatch');
    records.push(data);
    offset = dataEnd + CRC_BYTES;
  }
  return records;
}

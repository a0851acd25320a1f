/**
 * Reads TensorBoard event files back (ours or anyone's scalar files): every record's checksums
 * are verified, so a damaged file fails with the byte offset of the first bad record.
 */
import { readFileSync } from 'node:fs';

import { FileError, describeError } from '../errors';
import { decodeEvent, EventMessage } from './event-proto';
import { parseRecords } from './tfrecord';

export function readEventFile(path: string): EventMessage[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new FileError(path, `cannot read event file ${path} (${describeError(error)}); check the path`, { cause: error });
  }
  return parseRecords(bytes, path).map((record, index) => {
    try {
      return decodeEvent(record);
    } catch (error) {
      throw new FileError(path, `${path}: record ${index} is not an Event message (${describeError(error)}); this is not a TensorBoard event file`, { cause: error });
    }
  });
}

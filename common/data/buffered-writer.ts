/** Appends bytes and little-endian integers to a file descriptor through one reusable buffer. */
import { writeSync } from 'node:fs';

export class BufferedWriter {
  private readonly buffer: Buffer;
  private used = 0;
  /** Bytes handed to this writer so far, flushed or not. */
  written = 0;

  constructor(private readonly fd: number, private position: number, bufferBytes = 1 << 22) {
    this.buffer = Buffer.allocUnsafe(bufferBytes);
  }

  write(bytes: Uint8Array): void {
    if (bytes.length >= this.buffer.length) {
      this.flush();
      this.writeDirect(bytes);
      return;
    }
    if (this.used + bytes.length > this.buffer.length) this.flush();
    this.buffer.set(bytes, this.used);
    this.used += bytes.length;
    this.written += bytes.length;
  }

  writeInt32(value: number): void {
    if (this.used + 4 > this.buffer.length) this.flush();
    this.buffer.writeInt32LE(value, this.used);
    this.used += 4;
    this.written += 4;
  }

  /** Writes an int64 from a JS number (exact up to 2^53). */
  writeInt64(value: number): void {
    if (this.used + 8 > this.buffer.length) this.flush();
    const high = Math.floor(value / 0x100000000);
    this.buffer.writeUInt32LE(value - high * 0x100000000, this.used);
    this.buffer.writeInt32LE(high, this.used + 4);
    this.used += 8;
    this.written += 8;
  }

  flush(): void {
    if (this.used === 0) return;
    const pending = this.used;
    this.used = 0;
    this.writeAll(this.buffer.subarray(0, pending));
  }

  private writeDirect(bytes: Uint8Array): void {
    this.writeAll(bytes);
    this.written += bytes.length;
  }

  private writeAll(bytes: Uint8Array): void {
    let done = 0;
    while (done < bytes.length) {
      done += writeSync(this.fd, bytes, done, bytes.length - done, this.position + done);
    }
    this.position += bytes.length;
  }
}

import type { HrTime } from "@opentelemetry/api";

// The few protobuf primitives an OTLP span needs, written in one pass into one growing buffer. A nested
// message reserves one byte for its length and moves its bytes up when the length needs more, so the output
// is canonical protobuf (minimal varints), as the official serializer writes it.

export const VARINT = 0;
export const FIXED64 = 1;
export const LENGTH_DELIMITED = 2;
export const FIXED32 = 5;

const TWO_TO_32 = 4_294_967_296;
const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63;

export class ProtobufWriter {
  buffer: Uint8Array;
  pos = 0;
  private view: DataView;
  private readonly encoder = new TextEncoder();

  constructor(size = 64 * 1024) {
    this.buffer = new Uint8Array(size);
    this.view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.length);
  }

  /** Room for `bytes` more. */
  ensure(bytes: number): void {
    const needed = this.pos + bytes;
    if (needed <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < needed) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buffer.subarray(0, this.pos));
    this.buffer = grown;
    this.view = new DataView(grown.buffer, grown.byteOffset, grown.length);
  }

  tag(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  /** A non-negative integer up to 2^53, or a negative one as its 64-bit two's complement (10 bytes). */
  varint(value: number): void {
    this.ensure(10);
    const buffer = this.buffer;
    if (value >= 0 && value < TWO_TO_32) {
      let v = value >>> 0;
      while (v > 127) {
        buffer[this.pos++] = (v & 127) | 128;
        v >>>= 7;
      }
      buffer[this.pos++] = v;
      return;
    }
    const abs = Math.abs(value);
    let low = abs >>> 0;
    let high = (abs / TWO_TO_32) >>> 0;
    if (value < 0) {
      low = ~low >>> 0;
      high = ~high >>> 0;
      low = (low + 1) >>> 0;
      if (low === 0) high = (high + 1) >>> 0;
    }
    while (high > 0 || low > 127) {
      buffer[this.pos++] = (low & 127) | 128;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    buffer[this.pos++] = low & 127;
  }

  fixed32(value: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, value >>> 0, true);
    this.pos += 4;
  }

  double(value: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, value, true);
    this.pos += 8;
  }

  /** An HrTime as nanoseconds since the epoch, fixed64 (exact: seconds and nanoseconds are split in 32-bit halves). */
  time(time: HrTime): void {
    const [seconds, nanos] = time;
    const lowSeconds = seconds & 0xffff;
    const highSeconds = (seconds / 0x10000) >>> 0;
    const fromLow = lowSeconds * 1e9;
    const fromHigh = highSeconds * 1e9;
    const low = (fromLow >>> 0) + (((fromHigh & 0xffff) * 0x10000) >>> 0) + nanos;
    const high = Math.floor(fromLow / TWO_TO_32) + ((fromHigh / 0x10000) >>> 0) + Math.floor(low / TWO_TO_32);
    this.ensure(8);
    this.view.setUint32(this.pos, low >>> 0, true);
    this.view.setUint32(this.pos + 4, high >>> 0, true);
    this.pos += 8;
  }

  /** UTF-8 with its length: ASCII byte by byte, anything else through TextEncoder. */
  string(value: string): void {
    const length = value.length;
    this.ensure(length * 3 + 5);
    const start = this.begin();
    const buffer = this.buffer;
    let pos = this.pos;
    for (let i = 0; i < length; i++) {
      const code = value.charCodeAt(i);
      if (code > 127) {
        pos = this.pos + this.encoder.encodeInto(value, buffer.subarray(this.pos)).written;
        break;
      }
      buffer[pos++] = code;
    }
    this.pos = pos;
    this.end(start);
  }

  /** A trace or span id (hex) as its bytes, with their length. */
  hexBytes(hex: string): void {
    const length = hex.length >>> 1;
    this.ensure(length + 5);
    this.varint(length);
    const buffer = this.buffer;
    let pos = this.pos;
    for (let i = 0; i < hex.length; i += 2) {
      buffer[pos++] = (nibble(hex.charCodeAt(i)) << 4) | nibble(hex.charCodeAt(i + 1));
    }
    this.pos = pos;
  }

  bytes(value: Uint8Array): void {
    this.varint(value.length);
    this.ensure(value.length);
    this.buffer.set(value, this.pos);
    this.pos += value.length;
  }

  /** Reserves a length byte for the message that follows; `end` writes its length. */
  begin(): number {
    this.ensure(1);
    return this.pos++;
  }

  end(start: number): void {
    const length = this.pos - start - 1;
    if (length < 128) {
      this.buffer[start] = length;
      return;
    }
    const size = varintSize(length);
    this.ensure(size - 1);
    this.buffer.copyWithin(start + size, start + 1, this.pos);
    this.pos += size - 1;
    let v = length;
    let at = start;
    while (v > 127) {
      this.buffer[at++] = (v & 127) | 128;
      v >>>= 7;
    }
    this.buffer[at] = v;
  }

  /** The bytes written so far, copied out; the writer starts again from empty. */
  take(): Uint8Array {
    const out = this.buffer.slice(0, this.pos);
    this.pos = 0;
    return out;
  }
}

/** What OTLP writes as an int value (else a double). */
export function isInt64(value: number): boolean {
  return Number.isInteger(value) && value >= MIN_INT64 && value < MAX_INT64;
}

function varintSize(value: number): number {
  return value < 128 ? 1 : value < 16_384 ? 2 : value < 2_097_152 ? 3 : value < 268_435_456 ? 4 : 5;
}

/** A hex digit's value (the official serializer's reading: anything not 0-9 or a-f counts as A-F). */
function nibble(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  return code - 55;
}

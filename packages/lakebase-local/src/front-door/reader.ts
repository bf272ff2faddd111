import type { Duplex } from "node:stream";
import { MAX_STARTUP_LENGTH } from "./protocol.ts";

/** The peer closed (or broke) the connection while we were waiting for a message. */
export class PeerClosedError extends Error {}

/** A message that is not well-formed PostgreSQL protocol. */
export class ProtocolViolation extends Error {}

export interface StartupPacket {
  code: number;
  body: Buffer;
}

export interface TypedMessage {
  type: string;
  body: Buffer;
}

/**
 * Reads whole protocol messages from a stream during the handshake, whatever the TCP chunking. After the
 * handshake `detach()` hands the stream (and any bytes already read past the last message) to pipe().
 */
export class MessageReader {
  private buffer: Buffer = Buffer.alloc(0);
  private wake: (() => void) | undefined;
  private closed = false;
  private readonly stream: Duplex;
  private readonly maxLength: number;

  private readonly onData = (chunk: Buffer) => {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    this.notify();
  };
  private readonly onEnd = () => {
    this.closed = true;
    this.notify();
  };

  constructor(stream: Duplex, maxLength: number) {
    this.stream = stream;
    this.maxLength = maxLength;
    stream.on("data", this.onData);
    stream.on("end", this.onEnd);
    stream.on("close", this.onEnd);
    stream.on("error", this.onEnd);
  }

  /** A startup-phase packet: Int32 length, Int32 code, body (no type byte). */
  async startup(): Promise<StartupPacket> {
    const length = await this.peekInt32(0);
    if (length < 8 || length > MAX_STARTUP_LENGTH)
      throw new ProtocolViolation("invalid length of startup packet");
    const packet = await this.take(length);
    return { code: packet.readInt32BE(4), body: packet.subarray(8) };
  }

  /** A typed message: Byte1 type, Int32 length, body. */
  async message(): Promise<TypedMessage> {
    const length = await this.peekInt32(1);
    if (length < 4 || length > this.maxLength)
      throw new ProtocolViolation(`invalid message length ${length}`);
    const packet = await this.take(length + 1);
    return { type: String.fromCharCode(packet[0] ?? 0), body: packet.subarray(5) };
  }

  /** The first byte, without consuming it (to tell a TLS ClientHello from a startup packet). */
  async peekByte(): Promise<number> {
    await this.fill(1);
    return this.buffer[0] ?? 0;
  }

  /** Stops reading; the stream is paused so that no byte is lost before pipe() resumes it. */
  detach(): Buffer {
    this.stream.off("data", this.onData);
    this.stream.off("end", this.onEnd);
    this.stream.off("close", this.onEnd);
    this.stream.off("error", this.onEnd);
    this.stream.pause();
    const rest = this.buffer;
    this.buffer = Buffer.alloc(0);
    return rest;
  }

  private async peekInt32(offset: number): Promise<number> {
    await this.fill(offset + 4);
    return this.buffer.readInt32BE(offset);
  }

  private async take(length: number): Promise<Buffer> {
    await this.fill(length);
    const out = this.buffer.subarray(0, length);
    this.buffer = this.buffer.subarray(length);
    return out;
  }

  private async fill(length: number): Promise<void> {
    while (this.buffer.length < length) {
      if (this.closed) throw new PeerClosedError("connection closed by peer");
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

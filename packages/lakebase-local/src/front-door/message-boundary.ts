/**
 * Follows the message framing of a server byte stream without copying it, so that the front door knows when
 * it may inject a message of its own (a FATAL on shutdown) without cutting a relayed message in half, and
 * whether the session is idle (scale to zero suspends only when no session runs a query or a transaction).
 */
export class MessageBoundary {
  private readonly header = Buffer.alloc(5);
  private headerFill = 0;
  private remaining = 0;
  /** Waiting for the one-byte body of a ReadyForQuery. */
  private readyBody = false;
  /** ReadyForQuery messages seen so far. */
  private readyCount = 0;
  /** Transaction status of the last ReadyForQuery: `I` idle, `T` in a transaction, `E` failed one. */
  private status = "I";
  /** readyCount when the client last sent something: a request is in flight until the next one. */
  private askedAt = -1;

  observe(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.remaining > 0) {
        if (this.readyBody) {
          this.status = String.fromCharCode(chunk[at] ?? 0x49);
          this.readyBody = false;
          this.readyCount++;
        }
        const n = Math.min(this.remaining, chunk.length - at);
        this.remaining -= n;
        at += n;
        continue;
      }
      const n = Math.min(5 - this.headerFill, chunk.length - at);
      chunk.copy(this.header, this.headerFill, at, at + n);
      this.headerFill += n;
      at += n;
      if (this.headerFill === 5) {
        this.remaining = Math.max(0, this.header.readInt32BE(1) - 4);
        this.headerFill = 0;
        this.readyBody = this.header[0] === 0x5a && this.remaining === 1; // 'Z'
      }
    }
  }

  /** The client sent bytes: a request is in flight until the server's next ReadyForQuery. */
  clientSent(): void {
    this.askedAt = this.readyCount;
  }

  get atBoundary(): boolean {
    return this.remaining === 0 && this.headerFill === 0;
  }

  /**
   * No request in flight and outside any transaction. Like Neon's, an idle-in-transaction session counts
   * as active: suspending would roll its transaction back.
   */
  get idle(): boolean {
    return this.status === "I" && this.askedAt < this.readyCount && this.atBoundary;
  }
}

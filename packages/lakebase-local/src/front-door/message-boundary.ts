/**
 * Follows the message framing of a server byte stream without copying it, so that the front door knows when
 * it may inject a message of its own (a FATAL on shutdown) without cutting a relayed message in half.
 */
export class MessageBoundary {
  private readonly header = Buffer.alloc(5);
  private headerFill = 0;
  private remaining = 0;

  observe(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.remaining > 0) {
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
      }
    }
  }

  get atBoundary(): boolean {
    return this.remaining === 0 && this.headerFill === 0;
  }
}

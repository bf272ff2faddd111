import { type Context, diag, TraceFlags } from "@opentelemetry/api";
import type { Resource } from "@opentelemetry/resources";
import type { ReadableSpan, Span, SpanProcessor } from "@opentelemetry/sdk-trace";
import { ProtobufWriter } from "./protobuf-writer.ts";
import { encodeHead, frameRequest, writeSpan } from "./span-encoder.ts";

/** One ExportTraceServiceRequest, encoded: what an exporter sends as is. */
export interface EncodedSpans {
  readonly bytes: Uint8Array;
  readonly spans: number;
}

/** Sends encoded requests (the OTLP transport of the configured protocol: exporters.ts). */
export interface EncodedSpanSender {
  /** Settles when the request was answered or given up (never rejects: a failure is reported, not thrown). */
  send(request: EncodedSpans): Promise<void>;
  shutdown(): Promise<void>;
}

export interface EncodingSpanProcessorOptions {
  readonly sender: EncodedSpanSender;
  readonly resource: Resource;
  readonly scope: { readonly name: string; readonly version?: string };
  /** Spans encoded and not yet exported; past it, ended spans are dropped and counted. */
  readonly maxQueueSize: number;
  readonly maxExportBatchSize: number;
  /** A batch that is not full is sent this long after its first span (the SDK's 5 s). */
  readonly scheduledDelayMillis?: number;
}

/**
 * The SDK's BatchSpanProcessor, but a span is encoded (OTLP protobuf) when it ends instead of kept as an
 * object until its batch is serialized: half the CPU of the official serializer, no span outlives its
 * request (so none reaches the old generation of the heap), and an export only frames bytes. Same rules as
 * the SDK's: sampled spans only, a bounded queue (dropped spans are counted and reported), one export at a
 * time, batches of at most `maxExportBatchSize`, a partial batch sent after `scheduledDelayMillis`.
 * Every span is exported under `resource` and `scope`: the app's one tracer (lean-tracer.ts) has no other.
 */
export class EncodingSpanProcessor implements SpanProcessor {
  /** Spans dropped because the queue was full (the collector too slow or away). */
  dropped = 0;
  private reported = 0;
  private readonly writer = new ProtobufWriter();
  private readonly framer = new ProtobufWriter();
  private readonly head: ReturnType<typeof encodeHead>;
  private readonly options: EncodingSpanProcessorOptions;
  private batched = 0;
  private readonly ready: EncodedSpans[] = [];
  private queued = 0;
  private timer: NodeJS.Timeout | undefined;
  private exporting: Promise<void> | undefined;
  private stopped: Promise<void> | undefined;

  constructor(options: EncodingSpanProcessorOptions) {
    this.options = options;
    this.head = encodeHead(new ProtobufWriter(1024), options.resource, options.scope);
  }

  onStart(_span: Span, _context: Context): void {}

  onEnd(span: ReadableSpan): void {
    if (this.stopped || (span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (this.queued >= this.options.maxQueueSize) {
      this.dropped++;
      return;
    }
    writeSpan(this.writer, span);
    this.batched++;
    this.queued++;
    if (this.batched >= this.options.maxExportBatchSize) {
      this.seal();
      void this.drain();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.seal();
        void this.drain();
      }, this.options.scheduledDelayMillis ?? 5000);
      this.timer.unref();
    }
  }

  /** Sends everything ended so far; resolves once it was sent (or given up). */
  async forceFlush(): Promise<void> {
    this.seal();
    await this.drain();
  }

  shutdown(): Promise<void> {
    this.stopped ??= this.forceFlush().then(() => this.options.sender.shutdown());
    return this.stopped;
  }

  /** The batch being written becomes a request, ready to send. */
  private seal(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.batched === 0) return;
    const bytes = frameRequest(this.framer, this.head, this.writer.take());
    this.ready.push({ bytes, spans: this.batched });
    this.batched = 0;
  }

  /** Sends the ready requests one after the other; one loop at a time. */
  private drain(): Promise<void> {
    // (An empty loop would end before it is assigned, and stay assigned.)
    if (this.exporting === undefined && this.ready.length === 0) return Promise.resolve();
    this.exporting ??= (async () => {
      try {
        // The loop's last check and the reset below run in one tick: a request made ready later starts a loop.
        for (let next = this.ready.shift(); next; next = this.ready.shift()) {
          if (this.dropped > this.reported) {
            diag.warn(`Dropped ${this.dropped - this.reported} spans because maxQueueSize reached`);
            this.reported = this.dropped;
          }
          try {
            await this.options.sender.send(next);
          } finally {
            this.queued -= next.spans;
          }
        }
      } finally {
        this.exporting = undefined;
      }
    })();
    return this.exporting;
  }
}

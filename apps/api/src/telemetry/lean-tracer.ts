import {
  type Attributes,
  type AttributeValue,
  type Context,
  type Exception,
  type HrTime,
  INVALID_SPANID,
  INVALID_TRACEID,
  type Link,
  ROOT_CONTEXT,
  SamplingDecision,
  type Span,
  type SpanContext,
  SpanKind,
  type SpanOptions,
  type SpanStatus,
  SpanStatusCode,
  type TimeInput,
  TraceFlags,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { hrTime, millisToHrTime } from "@opentelemetry/core";
import type { Resource } from "@opentelemetry/resources";
import {
  RandomIdGenerator,
  type ReadableSpan,
  type Sampler,
  type SpanProcessor,
  type TimedEvent,
} from "@opentelemetry/sdk-trace";

// The SDK's tracer validates and copies every attribute object twice per span, keeps start/end/duration as
// separately computed arrays and counts its own spans: a third of the CPU a request's spans cost. The app's
// attributes are its own (strings and numbers, a few per span, most built once per procedure or statement),
// so this tracer keeps them as given, copying only when a span adds to a shared object, and hands the same
// ReadableSpan to the SDK's span processor and exporters, which do the rest unchanged.

export interface LeanTracerOptions {
  readonly sampler: Sampler;
  readonly processor: SpanProcessor;
  readonly resource: Resource;
  readonly scope: string;
}

const NO_LINKS: Link[] = [];

/** A Tracer (the API's interface) whose spans are LeanSpans, sampled and processed as the SDK's are. */
export function leanTracer({ sampler, processor, resource, scope }: LeanTracerOptions): Tracer {
  const ids = new RandomIdGenerator();
  const instrumentationScope = { name: scope };
  const startSpan = (name: string, options: SpanOptions = {}, context: Context = ROOT_CONTEXT): Span => {
    const candidate = trace.getSpan(context)?.spanContext();
    // A parent here is one of ours or a remote one the W3C propagator parsed: its ids have the right form.
    const parent =
      candidate && candidate.traceId !== INVALID_TRACEID && candidate.spanId !== INVALID_SPANID
        ? candidate
        : undefined;
    const traceId = parent ? parent.traceId : ids.generateTraceId();
    const kind = options.kind ?? SpanKind.INTERNAL;
    const attributes = options.attributes ?? {};
    const sampling = sampler.shouldSample(context, traceId, name, kind, attributes, NO_LINKS);
    const spanContext: SpanContext = {
      traceId,
      spanId: ids.generateSpanId(),
      traceFlags:
        sampling.decision === SamplingDecision.RECORD_AND_SAMPLED ? TraceFlags.SAMPLED : TraceFlags.NONE,
      ...((sampling.traceState ?? parent?.traceState) && {
        traceState: sampling.traceState ?? parent?.traceState,
      }),
    };
    if (sampling.decision === SamplingDecision.NOT_RECORD) return trace.wrapSpanContext(spanContext);
    const extra = sampling.attributes && Object.keys(sampling.attributes).length > 0;
    const span = new LeanSpan({
      processor,
      resource,
      instrumentationScope,
      context: spanContext,
      parent,
      name,
      kind,
      attributes: extra ? { ...attributes, ...sampling.attributes } : attributes,
      owned: extra === true,
      startTime: options.startTime,
    });
    processor.onStart(span, context);
    return span;
  };
  return {
    startSpan,
    startActiveSpan: () => {
      // The instrumentation sets its contexts itself (contextManager.with): nothing calls this.
      throw new Error("leanTracer: startActiveSpan is not supported");
    },
  };
}

/** Milliseconds on performance.now()'s clock (the SDK's rule: a number up to now is one, else epoch ms). */
function perfMillis(time: TimeInput | undefined): number {
  if (time === undefined) return performance.now();
  if (typeof time === "number") return time <= performance.now() ? time : time - performance.timeOrigin;
  if (time instanceof Date) return time.getTime() - performance.timeOrigin;
  return time[0] * 1000 + time[1] / 1e6 - performance.timeOrigin;
}

class LeanSpan implements Span, ReadableSpan {
  readonly events: TimedEvent[] = [];
  readonly links: Link[] = [];
  readonly startTime: HrTime;
  endTime: HrTime = [0, 0];
  duration: HrTime = [-1, -1];
  status: SpanStatus = { code: SpanStatusCode.UNSET };
  ended = false;
  readonly droppedAttributesCount = 0;
  readonly droppedEventsCount = 0;
  readonly droppedLinksCount = 0;
  private readonly started: number;
  private readonly processor: SpanProcessor;
  private readonly context: SpanContext;
  /** Shared with other spans until `owned`: copied before the first change. */
  attributes: Attributes;
  private owned: boolean;
  readonly resource: Resource;
  readonly instrumentationScope: { name: string };
  readonly parentSpanContext: SpanContext | undefined;
  readonly kind: SpanKind;
  name: string;

  constructor(init: {
    processor: SpanProcessor;
    resource: Resource;
    instrumentationScope: { name: string };
    context: SpanContext;
    parent: SpanContext | undefined;
    name: string;
    kind: SpanKind;
    attributes: Attributes;
    owned: boolean;
    startTime: TimeInput | undefined;
  }) {
    this.processor = init.processor;
    this.resource = init.resource;
    this.instrumentationScope = init.instrumentationScope;
    this.context = init.context;
    this.parentSpanContext = init.parent;
    this.name = init.name;
    this.kind = init.kind;
    this.attributes = init.attributes;
    this.owned = init.owned;
    this.started = perfMillis(init.startTime);
    this.startTime = hrTime(this.started);
  }

  spanContext(): SpanContext {
    return this.context;
  }

  setAttribute(key: string, value: AttributeValue | undefined): this {
    if (this.ended || value === undefined) return this;
    if (!this.owned) {
      this.attributes = { ...this.attributes };
      this.owned = true;
    }
    this.attributes[key] = value;
    return this;
  }

  setAttributes(attributes: Attributes): this {
    for (const key of Object.keys(attributes)) this.setAttribute(key, attributes[key]);
    return this;
  }

  addEvent(name: string, attributesOrTime?: Attributes | TimeInput, time?: TimeInput): this {
    if (this.ended) return this;
    const isTime =
      typeof attributesOrTime === "number" ||
      attributesOrTime instanceof Date ||
      Array.isArray(attributesOrTime);
    const at = isTime ? (attributesOrTime as TimeInput) : time;
    this.events.push({
      name,
      time: hrTime(perfMillis(at)),
      attributes: isTime ? {} : { ...(attributesOrTime as Attributes | undefined) },
      droppedAttributesCount: 0,
    });
    return this;
  }

  addLink(link: Link): this {
    if (!this.ended) this.links.push(link);
    return this;
  }

  addLinks(links: Link[]): this {
    for (const link of links) this.addLink(link);
    return this;
  }

  setStatus(status: SpanStatus): this {
    // OK is final; UNSET changes nothing (the API's rules).
    if (this.ended || this.status.code === SpanStatusCode.OK || status.code === SpanStatusCode.UNSET) {
      return this;
    }
    this.status = status.message === undefined ? { code: status.code } : status;
    return this;
  }

  updateName(name: string): this {
    if (!this.ended) this.name = name;
    return this;
  }

  end(endTime?: TimeInput): void {
    if (this.ended) return;
    const ended = Math.max(perfMillis(endTime), this.started);
    this.endTime = hrTime(ended);
    this.duration = millisToHrTime(ended - this.started);
    this.ended = true;
    this.processor.onEnd(this);
  }

  /** The attributes are still the object the span was started with, shared with other spans (unchanged). */
  get attributesShared(): boolean {
    return !this.owned;
  }

  isRecording(): boolean {
    return !this.ended;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const error = typeof exception === "string" ? { message: exception } : exception;
    const type = "code" in error && error.code !== undefined ? String(error.code) : error.name;
    this.addEvent(
      "exception",
      {
        ...(type && { "exception.type": type }),
        ...(error.message && { "exception.message": error.message }),
        ...(error.stack && { "exception.stacktrace": error.stack }),
      },
      time,
    );
  }
}

import type { Attributes, AttributeValue, HrTime, Link, SpanContext } from "@opentelemetry/api";
import type { Resource } from "@opentelemetry/resources";
import type { ReadableSpan, TimedEvent } from "@opentelemetry/sdk-trace";
import {
  FIXED32,
  FIXED64,
  isInt64,
  LENGTH_DELIMITED,
  type ProtobufWriter,
  VARINT,
} from "./protobuf-writer.ts";

// OTLP's ExportTraceServiceRequest (opentelemetry/proto/trace/v1/trace.proto), written field for field in the
// order and with the defaults of @opentelemetry/otlp-transformer's ProtobufTraceSerializer, so the bytes are
// the same (span-encoder.test.ts compares them). A span is encoded when it ends, into its batch's buffer:
// the span object dies young, and an export only frames the bytes with the resource and the scope.

const HAS_IS_REMOTE = 0x100;
const IS_REMOTE = 0x200;

/** A span's `Span` message with its field tag (ScopeSpans.spans, field 2). */
export function writeSpan(w: ProtobufWriter, span: ReadableSpan): void {
  const context = span.spanContext();
  const parent = span.parentSpanContext;
  w.tag(2, LENGTH_DELIMITED);
  const start = w.begin();
  w.tag(1, LENGTH_DELIMITED);
  w.hexBytes(context.traceId);
  w.tag(2, LENGTH_DELIMITED);
  w.hexBytes(context.spanId);
  const traceState = context.traceState?.serialize();
  if (traceState) {
    w.tag(3, LENGTH_DELIMITED);
    w.string(traceState);
  }
  if (parent?.spanId) {
    w.tag(4, LENGTH_DELIMITED);
    w.hexBytes(parent.spanId);
  }
  w.tag(5, LENGTH_DELIMITED);
  w.string(span.name);
  // OTLP numbers kinds from 1 (0 is unspecified); the API from 0.
  if (span.kind != null) {
    w.tag(6, VARINT);
    w.varint(span.kind + 1);
  }
  time(w, 7, span.startTime);
  time(w, 8, span.endTime);
  if (span.attributes) {
    if ((span as { attributesShared?: boolean }).attributesShared === true) writeShared(w, span.attributes);
    else writeAttributes(w, 9, span.attributes);
  }
  w.tag(10, VARINT);
  w.varint(span.droppedAttributesCount);
  for (const event of span.events) writeEvent(w, event);
  w.tag(12, VARINT);
  w.varint(span.droppedEventsCount);
  for (const link of span.links) writeLink(w, link);
  w.tag(14, VARINT);
  w.varint(span.droppedLinksCount);
  w.tag(15, LENGTH_DELIMITED);
  const status = w.begin();
  if (span.status.message) {
    w.tag(2, LENGTH_DELIMITED);
    w.string(span.status.message);
  }
  w.tag(3, VARINT);
  w.varint(span.status.code);
  w.end(status);
  w.tag(16, FIXED32);
  w.fixed32(flags(context, parent?.isRemote));
  w.end(start);
}

/**
 * ResourceSpans' resource (field 1) and ScopeSpans' scope (field 1), written once: what an export puts before
 * its spans.
 */
export function encodeHead(
  w: ProtobufWriter,
  resource: Resource,
  scope: { name: string; version?: string },
): { resource: Uint8Array; scope: Uint8Array } {
  w.tag(1, LENGTH_DELIMITED);
  const r = w.begin();
  writeAttributes(w, 1, resource.attributes);
  w.tag(2, VARINT);
  w.varint(0);
  w.end(r);
  const resourceBytes = w.take();
  w.tag(1, LENGTH_DELIMITED);
  const s = w.begin();
  w.tag(1, LENGTH_DELIMITED);
  w.string(scope.name);
  if (scope.version) {
    w.tag(2, LENGTH_DELIMITED);
    w.string(scope.version);
  }
  w.end(s);
  return { resource: resourceBytes, scope: w.take() };
}

/** ExportTraceServiceRequest { resource_spans: [{ resource, scope_spans: [{ scope, spans }] }] }. */
export function frameRequest(
  w: ProtobufWriter,
  head: { resource: Uint8Array; scope: Uint8Array },
  spans: Uint8Array,
): Uint8Array {
  const scopeSpans = head.scope.length + spans.length;
  const resourceSpans = head.resource.length + 1 + varintLength(scopeSpans) + scopeSpans;
  w.tag(1, LENGTH_DELIMITED);
  w.varint(resourceSpans);
  w.ensure(head.resource.length);
  w.buffer.set(head.resource, w.pos);
  w.pos += head.resource.length;
  w.tag(2, LENGTH_DELIMITED);
  w.varint(scopeSpans);
  w.ensure(scopeSpans);
  w.buffer.set(head.scope, w.pos);
  w.pos += head.scope.length;
  w.buffer.set(spans, w.pos);
  w.pos += spans.length;
  return w.take();
}

function writeEvent(w: ProtobufWriter, event: TimedEvent): void {
  w.tag(11, LENGTH_DELIMITED);
  const start = w.begin();
  time(w, 1, event.time);
  w.tag(2, LENGTH_DELIMITED);
  w.string(event.name);
  if (event.attributes) writeAttributes(w, 3, event.attributes);
  w.tag(4, VARINT);
  w.varint(event.droppedAttributesCount || 0);
  w.end(start);
}

function writeLink(w: ProtobufWriter, link: Link): void {
  w.tag(13, LENGTH_DELIMITED);
  const start = w.begin();
  w.tag(1, LENGTH_DELIMITED);
  w.hexBytes(link.context.traceId);
  w.tag(2, LENGTH_DELIMITED);
  w.hexBytes(link.context.spanId);
  const traceState = link.context.traceState?.serialize();
  if (traceState) {
    w.tag(3, LENGTH_DELIMITED);
    w.string(traceState);
  }
  if (link.attributes) writeAttributes(w, 4, link.attributes);
  w.tag(5, VARINT);
  w.varint(link.droppedAttributesCount || 0);
  w.tag(6, FIXED32);
  w.fixed32(flags(link.context, link.context.isRemote));
  w.end(start);
}

/** W3C trace flags plus whether the parent (or the link's span) is remote, as OTLP's SpanFlags. */
function flags(context: SpanContext, remote: boolean | undefined): number {
  return (context.traceFlags & 0xff) | HAS_IS_REMOTE | (remote ? IS_REMOTE : 0);
}

function time(w: ProtobufWriter, field: number, value: HrTime): void {
  w.tag(field, FIXED64);
  w.time(value);
}

// The encoded attributes of objects many spans share (a procedure's, a statement's: the lean tracer keeps
// them as given and copies before any change, so a shared object never changes).
const sharedAttributes = new WeakMap<Attributes, Uint8Array>();

function writeShared(w: ProtobufWriter, attributes: Attributes): void {
  let bytes = sharedAttributes.get(attributes);
  if (bytes === undefined) {
    const start = w.pos;
    writeAttributes(w, 9, attributes);
    bytes = w.buffer.slice(start, w.pos);
    sharedAttributes.set(attributes, bytes);
    return;
  }
  w.ensure(bytes.length);
  w.buffer.set(bytes, w.pos);
  w.pos += bytes.length;
}

/** Repeated KeyValue in `field`, in the object's key order. */
function writeAttributes(w: ProtobufWriter, field: number, attributes: Attributes): void {
  for (const key in attributes) {
    if (!Object.hasOwn(attributes, key)) continue;
    w.tag(field, LENGTH_DELIMITED);
    const kv = w.begin();
    w.tag(1, LENGTH_DELIMITED);
    w.string(key);
    w.tag(2, LENGTH_DELIMITED);
    const value = w.begin();
    writeAnyValue(w, attributes[key]);
    w.end(value);
    w.end(kv);
  }
}

/** AnyValue: string 1, bool 2, int 3, double 4, array 5 (values in field 1), kvlist 6, bytes 7; else empty. */
function writeAnyValue(w: ProtobufWriter, value: AttributeValue | undefined | null): void {
  if (typeof value === "string") {
    w.tag(1, LENGTH_DELIMITED);
    w.string(value);
  } else if (typeof value === "number") {
    if (isInt64(value)) {
      w.tag(3, VARINT);
      w.varint(value);
    } else {
      w.tag(4, FIXED64);
      w.double(value);
    }
  } else if (typeof value === "boolean") {
    w.tag(2, VARINT);
    w.varint(value ? 1 : 0);
  } else if ((value as unknown) instanceof Uint8Array) {
    w.tag(7, LENGTH_DELIMITED);
    w.bytes(value as unknown as Uint8Array);
  } else if (Array.isArray(value)) {
    w.tag(5, LENGTH_DELIMITED);
    const array = w.begin();
    for (const item of value) {
      w.tag(1, LENGTH_DELIMITED);
      const start = w.begin();
      writeAnyValue(w, item);
      w.end(start);
    }
    w.end(array);
  } else if (typeof value === "object" && value !== null) {
    // Not an attribute value the API allows, but the official serializer writes it (a kvlist): so do we.
    w.tag(6, LENGTH_DELIMITED);
    const list = w.begin();
    writeAttributes(w, 1, value as unknown as Attributes);
    w.end(list);
  }
}

function varintLength(value: number): number {
  let size = 1;
  for (let v = value; v > 127; v = Math.floor(v / 128)) size++;
  return size;
}

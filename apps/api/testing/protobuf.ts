// A protobuf wire-format reader, just enough to decode the OTLP messages the test receiver gets (spans and
// metrics over gRPC and http/protobuf) without the .proto files: fields by number, values by wire type.

export type Field =
  | { readonly wire: 0; readonly value: bigint } // varint
  | { readonly wire: 1; readonly value: Buffer } // 64-bit
  | { readonly wire: 2; readonly value: Buffer } // length-delimited: bytes, string or a message
  | { readonly wire: 5; readonly value: Buffer }; // 32-bit

/** Every field of a message, by field number, in order (repeated fields have several entries). */
export function readMessage(buffer: Buffer): Map<number, Field[]> {
  const fields = new Map<number, Field[]>();
  let at = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = buffer[at++];
      if (byte === undefined) throw new Error("protobuf: truncated varint");
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  const take = (length: number): Buffer => {
    if (at + length > buffer.length) throw new Error("protobuf: truncated field");
    const value = buffer.subarray(at, at + length);
    at += length;
    return value;
  };
  while (at < buffer.length) {
    const key = Number(varint());
    const number = key >>> 3;
    const wire = key & 7;
    let field: Field;
    if (wire === 0) field = { wire, value: varint() };
    else if (wire === 1) field = { wire, value: take(8) };
    else if (wire === 2) field = { wire, value: take(Number(varint())) };
    else if (wire === 5) field = { wire, value: take(4) };
    else throw new Error(`protobuf: unsupported wire type ${wire}`);
    const list = fields.get(number) ?? [];
    list.push(field);
    fields.set(number, list);
  }
  return fields;
}

/** The bytes of each length-delimited occurrence of a field (embedded messages, strings, bytes). */
export function messages(fields: Map<number, Field[]>, number: number): Buffer[] {
  return (fields.get(number) ?? []).flatMap((f) => (f.wire === 2 ? [f.value] : []));
}

export function string(fields: Map<number, Field[]>, number: number): string {
  return messages(fields, number)[0]?.toString("utf8") ?? "";
}

export function hex(fields: Map<number, Field[]>, number: number): string {
  return messages(fields, number)[0]?.toString("hex") ?? "";
}

export function varint(fields: Map<number, Field[]>, number: number): bigint | undefined {
  const f = fields.get(number)?.[0];
  return f?.wire === 0 ? f.value : undefined;
}

/** A fixed64 field as an unsigned integer, or as a double. */
export function fixed64(fields: Map<number, Field[]>, number: number, as: "uint" | "int" | "double"): number {
  const f = fields.get(number)?.[0];
  if (f?.wire !== 1) return Number.NaN;
  if (as === "double") return f.value.readDoubleLE(0);
  return Number(as === "int" ? f.value.readBigInt64LE(0) : f.value.readBigUInt64LE(0));
}

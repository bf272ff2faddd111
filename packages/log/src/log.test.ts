import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createLogger, scrubSecrets, serializeError } from "./log.ts";

function capture(level?: "debug" | "info" | "warn" | "error") {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ write: (l) => lines.push(JSON.parse(l)), ...(level ? { level } : {}) });
  return { logger, lines };
}

describe("createLogger", () => {
  it("writes one JSON object per line with time, level, msg and the child's fields", () => {
    const { logger, lines } = capture();
    logger.child({ requestId: "r1" }).info("request", { status: 200 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: "info", msg: "request", requestId: "r1", status: 200 });
    expect(Date.parse(String(lines[0]?.time))).not.toBeNaN();
  });

  it("drops lines below its level", () => {
    const { logger, lines } = capture("warn");
    logger.info("no");
    logger.debug("no");
    logger.warn("yes");
    expect(lines.map((l) => l.msg)).toEqual(["yes"]);
  });

  it("redacts secret-named keys at any depth and credentials inside strings", () => {
    const { logger, lines } = capture();
    logger.info("x", {
      nested: { password: "hunter2", deeper: [{ accessToken: "abc" }] },
      url: "postgresql://me:s3cret@db:5432/orders",
      header: "Authorization: Bearer eyJhbGciOi.payload.sig",
      pat: "dapi0123456789abcdef0123",
      big: 12n,
    });
    const text = JSON.stringify(lines);
    for (const secret of ["hunter2", "abc", "s3cret", "eyJhbGciOi", "dapi0123456789abcdef0123"]) {
      expect(text).not.toContain(secret);
    }
    expect(lines[0]).toMatchObject({ url: "postgresql://me:[redacted]@db:5432/orders", big: "12" });
  });

  it("adds the fields of the moment (a trace context) to each written line, only when there are some", () => {
    const lines: Record<string, unknown>[] = [];
    let active: { trace_id: string; span_id: string } | undefined;
    let calls = 0;
    const logger = createLogger({
      level: "info",
      write: (l) => lines.push(JSON.parse(l)),
      context: () => {
        calls++;
        return active;
      },
    });
    const child = logger.child({ requestId: "r1" });
    child.info("outside");
    active = { trace_id: "4bf92f3577b34da6a3ce929d0e0e4736", span_id: "00f067aa0ba902b7" };
    child.info("inside", { status: 200 });
    child.debug("dropped before the context is asked");
    expect(lines[0]).not.toHaveProperty("trace_id");
    expect(lines[1]).toMatchObject({ msg: "inside", requestId: "r1", status: 200, ...active });
    expect(calls).toBe(2);
  });

  it("serializes errors with their code and cause chain, scrubbed", () => {
    const cause = Object.assign(new Error("connect to postgresql://u:pw@h/db failed"), {
      code: "ECONNREFUSED",
    });
    const out = serializeError(new Error("outer", { cause }));
    expect(out).toMatchObject({ message: "outer", cause: { code: "ECONNREFUSED" } });
    expect(JSON.stringify(out)).not.toContain(":pw@");
  });

  it("scrubs URL passwords exactly as the regular expression it replaces, on random text", () => {
    // The rule as a regular expression: right, but quadratic on scheme-like runs (see scrubSecrets).
    const oracle = (text: string) =>
      text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)[^@\s]*@/gi, "$1[redacted]@");
    const alphabet = [
      "a",
      "Z",
      "0",
      "_",
      "-",
      ".",
      "+",
      ":",
      "/",
      "//",
      "://",
      "@",
      " ",
      "?",
      "#",
      "\n",
      "é",
      "x:y@",
    ];
    let seed = 26;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 20_000; i++) {
      const length = Math.floor(random() * 24);
      const text = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join("");
      expect(scrubSecrets(text), JSON.stringify(text)).toBe(oracle(text));
    }
  });

  it("scrubs in linear time: 64 KB of what made the regular expression backtrack costs a few milliseconds", () => {
    const n = 64 * 1024;
    for (const unit of ["a-", "a.", "a+", "x://:", "a://b:", "A-", "a://", "dapi0", "bearer ", "a:/"]) {
      const text = `/api/${unit.repeat(Math.ceil(n / unit.length))}!`;
      scrubSecrets(text); // warm
      const before = process.cpuUsage();
      scrubSecrets(text);
      const used = process.cpuUsage(before);
      // Quadratic, this was over a second of CPU; linear, well under a millisecond. The bound is CPU time (not
      // wall time) with a wide margin both ways, so a loaded machine does not move it.
      expect((used.user + used.system) / 1000, unit).toBeLessThan(50);
    }
  });
  it("writes every line exactly as JSON.stringify with the redacting replacer did, on random records", () => {
    // The encoder it replaced, verbatim: a replacer over every value.
    const SECRET = /pass(word)?|token|secret|authorization|cookie|credential/i;
    const replacer = (key: string, value: unknown): unknown => {
      if (key && SECRET.test(key)) return "[redacted]";
      if (value instanceof Error) return serializeError(value);
      if (typeof value === "string") return scrubSecrets(value);
      if (typeof value === "bigint") return value.toString();
      return value;
    };
    let seed = 27;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    const keys = [
      "a",
      "path",
      "password",
      "accessToken",
      "0",
      "msg",
      "time",
      "nested",
      "é",
      'q"uote',
      "cause",
    ];
    const leaves: (() => unknown)[] = [
      () =>
        pick([
          "",
          "plain",
          "postgresql://me:s3cret@db/x",
          "Bearer abc.def",
          "dapi0123456789abcdef01",
          "é\n\u0001",
        ]),
      () => pick([0, -0, 1.5, -7, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60]),
      () => pick([true, false, null, undefined]),
      () => 12n,
      () => () => 1,
      () => Symbol("s"),
      () => new Date(1_700_000_000_000),
      () => Object.assign(new Error("to postgresql://u:pw@h/db"), { code: "57014" }),
      () => new Map([["k", 1]]),
      () => ({ toJSON: (key: string) => `json of ${key}` }),
      () => Object.create(null) as object,
    ];
    const value = (depth: number): unknown => {
      if (depth > 3 || random() < 0.5) return pick(leaves)();
      if (random() < 0.4) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
      const out: Record<string, unknown> = {};
      for (let i = Math.floor(random() * 5); i > 0; i--) out[pick(keys)] = value(depth + 1);
      return out;
    };
    for (let i = 0; i < 1000; i++) {
      const fields: Record<string, unknown> = {};
      for (let k = Math.floor(random() * 6); k > 0; k--) fields[pick(keys)] = value(0);
      let line = "";
      const logger = createLogger({ write: (l) => (line = l), base: { requestId: "r1" } });
      logger.info("request postgresql://a:b@c", fields);
      const record = JSON.parse(line) as { time: string };
      const expected = JSON.stringify(
        { time: record.time, level: "info", msg: "request postgresql://a:b@c", requestId: "r1", ...fields },
        replacer,
      );
      expect(line, expected).toBe(expected);
    }
  });
  it("writes stdout's lines whole, in order, in writes of at most 4096 bytes, and all of them on exit", () => {
    // A child process logs past several batches, then exits at once (or throws): nothing may be lost. Under
    // 64 KB in all (a pipe's buffer), so a slow reader cannot leave a write queued when the process exits.
    const source = path.join(path.dirname(fileURLToPath(import.meta.url)), "log.ts");
    for (const end of ["process.exit(3)", "throw new Error('boom')"]) {
      const script = `
        const { createLogger } = await import(${JSON.stringify(source)});
        const realWrite = process.stdout.write.bind(process.stdout);
        const sizes = [];
        process.stdout.write = (chunk) => (sizes.push(Buffer.byteLength(chunk)), realWrite(chunk));
        process.on("exit", () => process.stderr.write(JSON.stringify(sizes)));
        const logger = createLogger();
        for (let i = 0; i < 200; i++) logger.info("line", { i, text: "é".repeat(i % 50 === 0 ? 3000 : 20) });
        ${end};`;
      const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
      const lines = child.stdout.split("\n").filter(Boolean);
      expect(lines.map((l) => (JSON.parse(l) as { i: number }).i)).toEqual([...Array(200).keys()]);
      const sizes = JSON.parse(
        child.stderr.slice(child.stderr.indexOf("["), child.stderr.indexOf("]") + 1),
      ) as number[];
      // Batched (fewer writes than lines); a write above 4096 bytes is one line longer than that, alone.
      expect(sizes.length).toBeLessThan(200);
      const lineSizes = lines.map((l) => Buffer.byteLength(l) + 1);
      for (const size of sizes.filter((s) => s > 4096)) expect(lineSizes).toContain(size);
    }
  });
});

// TPC-H ORDERS rows as dbgen (TPC-H 2.x) shapes them, in the Databricks `samples.tpch.orders` form.
// Every row is a pure function of (seed, index, scale factor): its random stream is derived from those
// alone, so any chunk of the table can be generated on its own and equals the same slice of the whole.

export interface OrderRow {
  orderKey: number;
  custKey: number;
  orderStatus: "F" | "O" | "P";
  /** Two decimals, e.g. "1234.56". */
  totalPrice: string;
  /** YYYY-MM-DD. */
  orderDate: string;
  orderPriority: string;
  clerk: string;
  shipPriority: number;
  comment: string;
}

export const ORDER_PRIORITIES = ["1-URGENT", "2-HIGH", "3-MEDIUM", "4-NOT SPECIFIED", "5-LOW"] as const;
export const ROWS_PER_SCALE_FACTOR = 1_500_000;

const CUSTOMERS_PER_SF = 150_000;
const PARTS_PER_SF = 200_000;
const CLERKS_PER_SF = 1_000;
const DAY_MS = 86_400_000;
const START_DAY = Date.UTC(1992, 0, 1) / DAY_MS;
// ENDDATE (1998-12-31) - 151 days: the last order date leaves room for 121 days of shipping and receipt.
const LAST_ORDER_DAY = Date.UTC(1998, 11, 31) / DAY_MS - 151;
const CURRENT_DAY = Date.UTC(1995, 5, 17) / DAY_MS;
export const FIRST_ORDER_DATE = "1992-01-01";
export const LAST_ORDER_DATE = "1998-08-02";
export const CURRENT_DATE = "1995-06-17";
export const COMMENT_MIN_LENGTH = 19;
export const COMMENT_MAX_LENGTH = 78;

const DATE_STRINGS: string[] = [];
for (let day = START_DAY; day <= LAST_ORDER_DAY; day++) {
  DATE_STRINGS.push(new Date(day * DAY_MS).toISOString().slice(0, 10));
}

// A vocabulary in the spirit of the TPC-H text grammar; letters only, so COPY text needs no escaping.
const WORDS = [
  "foxes",
  "ideas",
  "theodolites",
  "pinto",
  "beans",
  "instructions",
  "dependencies",
  "excuses",
  "platelets",
  "asymptotes",
  "courts",
  "dolphins",
  "multipliers",
  "sauternes",
  "warthogs",
  "frets",
  "dinos",
  "attainments",
  "somas",
  "tithes",
  "braids",
  "hockey",
  "players",
  "requests",
  "accounts",
  "packages",
  "deposits",
  "pearls",
  "sheaves",
  "orbits",
  "patterns",
  "decoys",
  "sentiments",
  "epitaphs",
  "realms",
  "gifts",
  "sleep",
  "wake",
  "are",
  "cajole",
  "haggle",
  "nag",
  "use",
  "boost",
  "affix",
  "detect",
  "integrate",
  "maintain",
  "nod",
  "was",
  "lose",
  "sublate",
  "solve",
  "thrash",
  "promise",
  "engage",
  "hinder",
  "print",
  "x-ray",
  "breach",
  "eat",
  "grow",
  "impress",
  "mold",
  "poach",
  "serve",
  "run",
  "dazzle",
  "snooze",
  "doze",
  "unwind",
  "kindle",
  "play",
  "hang",
  "believe",
  "doubt",
  "furious",
  "sly",
  "careful",
  "blithe",
  "quick",
  "fluffy",
  "slow",
  "quiet",
  "ruthless",
  "thin",
  "close",
  "dogged",
  "daring",
  "brave",
  "stealthy",
  "permanent",
  "enticing",
  "idle",
  "busy",
  "regular",
  "final",
  "ironic",
  "even",
  "bold",
  "silent",
  "special",
  "pending",
  "unusual",
  "express",
  "furiously",
  "slyly",
  "carefully",
  "blithely",
  "quickly",
  "fluffily",
  "slowly",
  "quietly",
  "ruthlessly",
  "thinly",
  "closely",
  "doggedly",
  "daringly",
  "bravely",
  "stealthily",
  "permanently",
  "enticingly",
  "idly",
  "busily",
  "regularly",
  "finally",
  "ironically",
  "evenly",
  "boldly",
  "silently",
  "about",
  "above",
  "according",
  "to",
  "across",
  "after",
  "against",
  "along",
  "alongside",
  "of",
  "among",
  "around",
  "at",
  "atop",
  "before",
  "behind",
  "beneath",
  "beside",
  "besides",
  "between",
  "beyond",
  "by",
  "despite",
  "during",
  "except",
  "for",
  "from",
  "in",
  "place",
  "inside",
  "instead",
  "into",
  "near",
  "on",
  "outside",
  "over",
  "past",
  "since",
  "through",
  "throughout",
  "toward",
  "under",
  "until",
  "up",
  "upon",
  "without",
  "with",
  "within",
  "the",
];

/** Scale factor of a table of `rows` rows: sizes the customer, part and clerk domains (ceil, at least 1). */
export function scaleFactorForRows(rows: number): number {
  return Math.max(1, Math.ceil(rows / ROWS_PER_SCALE_FACTOR));
}

/** dbgen's sparse keys: only the first 8 of every 32 keys are used. */
export function orderKeyForIndex(index: number): number {
  return Math.floor(index / 8) * 32 + (index % 8) + 1;
}

// lowbias32 (Chris Wellons): a strong 32-bit integer hash on Math.imul, no BigInt in the hot loop.
function hash32(x: number): number {
  let h = x | 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

// One row's random stream (splitmix-style counter hashed by lowbias32). Module state is safe because a
// row is generated completely before any generator yields.
let streamState = 0;

function nextU32(): number {
  streamState = (streamState + 0x9e3779b9) | 0;
  return hash32(streamState);
}

/** Uniform integer in [lo, hi]. */
function uniform(lo: number, hi: number): number {
  const span = hi - lo + 1;
  if (span <= 0x1000000) return lo + Math.floor((nextU32() * span) / 4294967296);
  // Large domains (big scale factors) take 53 bits so that no value is unreachable.
  const bits53 = (nextU32() >>> 5) * 67108864 + (nextU32() >>> 6);
  return lo + Math.floor((bits53 / 9007199254740992) * span);
}

function seedRow(seed: number, index: number): void {
  const lo = index >>> 0;
  const hi = Math.floor(index / 4294967296) >>> 0;
  streamState = hash32(hash32(hash32(seed ^ 0x5bd1e995) ^ lo) + hi * 0x27d4eb2f) | 0;
}

function formatCents(cents: number): string {
  const fraction = cents % 100;
  return `${(cents - fraction) / 100}.${fraction < 10 ? "0" : ""}${fraction}`;
}

function comment(): string {
  const length = uniform(COMMENT_MIN_LENGTH, COMMENT_MAX_LENGTH);
  let text = WORDS[uniform(0, WORDS.length - 1)]!;
  while (text.length < length) text += ` ${WORDS[uniform(0, WORDS.length - 1)]!}`;
  text = text.slice(0, length);
  // A cut that lands on a space would leave a trailing blank: end the sentence there instead.
  return text.endsWith(" ") ? `${text.slice(0, -1)}.` : text;
}

/** The row at `index` (0-based) of the table generated with `seed` at scale factor `scale`. */
export function orderAt(seed: number, index: number, scale: number): OrderRow {
  seedRow(seed, index);
  const validCustomers = CUSTOMERS_PER_SF * scale;
  // Every third customer places no orders: draw among the keys that are not multiples of 3.
  const pick = uniform(0, validCustomers - Math.floor(validCustomers / 3) - 1);
  const custKey = Math.floor(pick / 2) * 3 + (pick % 2) + 1;
  const dayOffset = uniform(0, DATE_STRINGS.length - 1);
  const orderDay = START_DAY + dayOffset;
  const orderPriority = ORDER_PRIORITIES[uniform(0, ORDER_PRIORITIES.length - 1)]!;
  const clerk = `Clerk#${String(uniform(1, CLERKS_PER_SF * scale)).padStart(9, "0")}`;

  // The order's lineitems, simulated only for what ORDERS exposes: the total and the status.
  const lines = uniform(1, 7);
  const maxPart = PARTS_PER_SF * scale;
  let total = 0; // in 1/1,000,000 of a cent: cents * (100 - discount%) * (100 + tax%)
  let shipped = 0;
  for (let line = 0; line < lines; line++) {
    const quantity = uniform(1, 50);
    const partKey = uniform(1, maxPart);
    const retailCents = 90000 + (Math.floor(partKey / 10) % 20001) + 100 * (partKey % 1000);
    const discount = uniform(0, 10);
    const tax = uniform(0, 8);
    const shipDay = orderDay + uniform(1, 121);
    total += quantity * retailCents * (100 - discount) * (100 + tax);
    if (shipDay <= CURRENT_DAY) shipped++;
  }

  return {
    orderKey: orderKeyForIndex(index),
    custKey,
    orderStatus: shipped === lines ? "F" : shipped === 0 ? "O" : "P",
    totalPrice: formatCents(Math.round(total / 10000)),
    orderDate: DATE_STRINGS[dayOffset]!,
    orderPriority,
    clerk,
    shipPriority: 0,
    comment: comment(),
  };
}

export interface GenerateOrdersOptions {
  /** How many rows to generate. */
  rows: number;
  seed?: number;
  /** Index of the first row (0-based); chunks generated with `start` equal the same slice of the whole. */
  start?: number;
  /**
   * Size of the whole table, which fixes the scale factor (customer, part and clerk domains). Defaults to
   * `start + rows`; pass it when generating chunks of a table larger than one scale factor.
   */
  totalRows?: number;
}

export const DEFAULT_SEED = 20261121;

export function* generateOrders(opts: GenerateOrdersOptions): Generator<OrderRow> {
  const start = opts.start ?? 0;
  const seed = opts.seed ?? DEFAULT_SEED;
  assertCount("rows", opts.rows);
  assertCount("start", start);
  const scale = scaleFactorForRows(opts.totalRows ?? start + opts.rows);
  const end = start + opts.rows;
  for (let index = start; index < end; index++) yield orderAt(seed, index, scale);
}

/** A row as one line of COPY text format (no escaping needed: no field holds tab, newline or backslash). */
export function copyLine(row: OrderRow): string {
  return `${row.orderKey}\t${row.custKey}\t${row.orderStatus}\t${row.totalPrice}\t${row.orderDate}\t${row.orderPriority}\t${row.clerk}\t${row.shipPriority}\t${row.comment}\n`;
}

function assertCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  }
}

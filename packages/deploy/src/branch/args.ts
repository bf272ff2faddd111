// `pnpm branch-app` arguments, validated: a bad flag is a clear message before anything is created.
import { z } from "zod";

const ID = /^[a-z][a-z0-9-]{0,62}$/;
/** 30s, 90m, 2h, 1d: the branch's TTL (the service takes seconds). */
const DURATION = /^(\d+)(s|m|h|d)$/;
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

export interface BranchAppArgs {
  /** Seconds until the service deletes the branch on its own (the backstop if this command cannot). */
  ttlSeconds: number;
  /** The parent branch's id. */
  from: string;
  /** A past point of the parent (RFC 3339), else its head. */
  at: string | undefined;
  /** `local`, or a bundle target to print the deploy command for. */
  target: string;
  /** The new branch's id. */
  name: string;
  /** The project id; default from the environment (LAKEBASE_PROJECT_ID, LAKEBASE_ENDPOINT). */
  project: string | undefined;
  /** The local app's port (0: a free one). */
  port: number;
}

const schema = z
  .object({
    ttl: z
      .string()
      .regex(DURATION, "--ttl: a duration such as 30m, 2h or 1d")
      .default("2h")
      .transform((v) => {
        const [, n, unit] = v.match(DURATION)!;
        return Number(n) * UNIT_SECONDS[unit as keyof typeof UNIT_SECONDS];
      })
      // The service's bounds on a branch's life are not documented; one day short of a month is a change's.
      .refine((s) => s >= 10 && s <= 30 * 86_400, "--ttl: between 10s and 30d"),
    from: z
      .string()
      .regex(ID, "--from: a branch id (lowercase letters, digits, hyphens)")
      .default("production"),
    at: z
      .string()
      .refine((v) => !Number.isNaN(Date.parse(v)), "--at: a time such as 2026-12-07T01:00:00Z")
      .transform((v) => new Date(v).toISOString())
      .optional(),
    target: z
      .string()
      .regex(/^[a-z][a-z0-9-]*$/, "--target: local or a bundle target")
      // The command moves a target's app onto a short-lived branch and deletes the branch afterwards:
      // production's app must never be the one moved.
      .refine(
        (v) => !/^prod/.test(v),
        "--target: branch-app never runs against a production target (prod*): it moves that target's app onto a short-lived branch and deletes the branch afterwards; use a development target",
      )
      .default("local"),
    name: z
      .string()
      .regex(ID, "--name: a branch id (lowercase letters, digits, hyphens; at most 63)")
      .optional(),
    project: z.string().regex(ID, "--project: a project id").optional(),
    port: z.coerce.number().int().min(0).max(65_535).default(0),
  })
  .strict();

export function parseBranchAppArgs(argv: string[], now = new Date()): BranchAppArgs {
  const raw: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const match = flag.match(/^--([a-z]+)(?:=(.*))?$/);
    if (!match)
      throw new Error(
        `unexpected argument ${flag} (flags: --ttl --from --at --target --name --project --port)`,
      );
    const value = match[2] ?? argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    raw[match[1]!] = value;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(
      parsed.error.issues
        .map((i) => (i.code === "unrecognized_keys" ? `unknown flag --${i.keys.join(", --")}` : i.message))
        .join("; "),
    );
  }
  const { name, ttl, ...rest } = parsed.data;
  return { ...rest, ttlSeconds: ttl, at: rest.at, project: rest.project, name: name ?? defaultName(now) };
}

/** change-<UTC yyyymmdd-hhmmss>: sortable, unique enough for one person's changes, a valid id. */
function defaultName(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `change-${stamp}`;
}

import path from "node:path";

/** Variables that a test runner, pnpm or the checkout's own toolchain set, and a new user's shell lacks. */
const NOT_A_NEWCOMERS = [
  /^npm_/i,
  /^pnpm_/i,
  /^VITEST/,
  /^TEST_/,
  /^TURBO_/,
  /^NODE_OPTIONS$/,
  /^NODE_ENV$/,
  /^INIT_CWD$/,
  /^PG_LOCAL_/,
  // A configured Lakebase or PostgreSQL would make `pnpm dev` skip the local one.
  /^LAKEBASE_/,
  /^DATABRICKS_/,
  /^PG[A-Z]+$/,
  /^(API_|WEB_)?PORT$/,
];

/**
 * The environment of a new user's shell on this machine: this process's, minus what the test runner and
 * pnpm added, and with a PATH that has no project toolchain on it (no `.tools/`, no `node_modules/.bin`),
 * so the README's bootstrap really finds the machine's own Node (or none) as a new user's would.
 */
export function newcomerEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!NOT_A_NEWCOMERS.some((pattern) => pattern.test(key))) env[key] = value;
  }
  env.PATH = machinePath();
  // A warm pnpm store and npm cache are fine; asking the registry again for what they hold is not needed.
  env.npm_config_prefer_offline = "true";
  return { ...env, ...extra };
}

/** PATH without any project's toolchain folders. */
export function machinePath(): string {
  return (process.env.PATH ?? "")
    .split(path.delimiter)
    .filter(
      (dir) =>
        dir &&
        !dir.includes(`${path.sep}node_modules${path.sep}`) &&
        !dir.includes(`${path.sep}.tools${path.sep}`),
    )
    .filter((dir) => !dir.endsWith(`${path.sep}node_modules`) && !dir.endsWith(`${path.sep}.tools`))
    .join(path.delimiter);
}

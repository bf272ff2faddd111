import pg from "pg";

/**
 * A session of its own on the database `pool` reaches (same address, user, TLS and token provider), outside
 * the pool: for what belongs to one session and must outlive a request, such as LISTEN. It takes the pool's
 * statement and lock budgets but no client-side query timeout (it waits for notifications). The caller ends
 * it and hears its `error` events (one is emitted when the server ends the session).
 */
export async function openSession(pool: pg.Pool, applicationName: string): Promise<pg.Client> {
  // Through the pool first: it reaches the database (and learns its address, for a deferred pool).
  (await pool.connect()).release();
  const { query_timeout: _q, ...target } = pool.options;
  // pg-pool keeps the password (a string or the token function) non-enumerable: the spread leaves it out.
  const client = new pg.Client({
    ...target,
    password: pool.options.password,
    application_name: applicationName,
  });
  // A FATAL read in the same chunk as the login's last message (a session terminated as it opens) is emitted
  // before the caller can listen: unheard, it would end the process. The caller hears what follows, and a
  // session dead already fails its first query.
  client.on("error", () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return client;
}

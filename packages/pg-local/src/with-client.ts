import pg from "pg";

/** One short-lived connection for admin statements (CREATE/DROP DATABASE, roles): opened, used, closed. */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  // A session ended under it (a terminate, a forced DROP DATABASE) fails the pending query; unheard, the
  // client's "error" event would also be thrown from the socket and take the process down.
  client.on("error", () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    // A session already ended must not hide what `fn` returned or threw.
    await client.end().catch(() => undefined);
  }
}

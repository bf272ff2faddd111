import type { Meter } from "@opentelemetry/api";
import { cacheLookups } from "../cache/cache.ts";
import type { ObservedServices, Pool } from "./types.ts";

/**
 * The gauges and counters read at each metric collection, from what the services already count (pg-pool's
 * counts, the token provider's metrics, the caches' lookups): nothing is added to the request path.
 * Names follow OpenTelemetry's database semantic conventions where there is one.
 */
export function observeServices(meter: Meter, { db }: ObservedServices): void {
  const connections = meter.createObservableUpDownCounter("db.client.connection.count", {
    description: "Connections of the pool, in use (used) or idle.",
    unit: "{connection}",
  });
  const pending = meter.createObservableUpDownCounter("db.client.connection.pending_requests", {
    description: "Requests waiting for a connection of the pool.",
    unit: "{request}",
  });
  const tokenAge = meter.createObservableGauge("lakebase.token.age", {
    description: "Seconds since the Postgres token in use was fetched.",
    unit: "s",
  });
  const tokenRemaining = meter.createObservableGauge("lakebase.token.time_to_expiry", {
    description: "Seconds until the Postgres token in use expires.",
    unit: "s",
  });
  const refreshes = meter.createObservableCounter("lakebase.token.refreshes", {
    description: "Successful fetches of a Postgres token.",
    unit: "{refresh}",
  });
  const failures = meter.createObservableCounter("lakebase.token.failures", {
    description: "Failed calls of the credential API (each attempt).",
    unit: "{failure}",
  });
  const lookups = meter.createObservableCounter("lakebase_orders.cache.lookups", {
    description: "Cache lookups by cache and result: hit (fresh), stale (served while refreshing), miss.",
    unit: "{lookup}",
  });

  const pools: [string, Pool][] = [["primary", db.pool]];
  if (db.readPool) pools.push(["read", db.readPool]);

  meter.addBatchObservableCallback(
    (result) => {
      for (const [name, pool] of pools) {
        const poolAttributes = { "db.client.connection.pool.name": name };
        result.observe(connections, pool.totalCount - pool.idleCount, {
          ...poolAttributes,
          "db.client.connection.state": "used",
        });
        result.observe(connections, pool.idleCount, {
          ...poolAttributes,
          "db.client.connection.state": "idle",
        });
        result.observe(pending, pool.waitingCount, poolAttributes);
      }
      const provider = db.provider;
      if (provider) {
        const source = provider.describe();
        const attributes = { "lakebase.token.flavour": source.flavour };
        const m = provider.metrics();
        result.observe(refreshes, m.refreshes, attributes);
        result.observe(failures, m.failures, attributes);
        const now = Date.now();
        if (m.lastRefreshAt) result.observe(tokenAge, (now - m.lastRefreshAt.getTime()) / 1000, attributes);
        const expiry = provider.expiresAt();
        if (expiry) result.observe(tokenRemaining, (expiry.getTime() - now) / 1000, attributes);
      }
      for (const [name, counts] of cacheLookups()) {
        result.observe(lookups, counts.hits, { "cache.name": name, "cache.result": "hit" });
        result.observe(lookups, counts.stale, { "cache.name": name, "cache.result": "stale" });
        result.observe(lookups, counts.misses, { "cache.name": name, "cache.result": "miss" });
      }
    },
    [connections, pending, tokenAge, tokenRemaining, refreshes, failures, lookups],
  );
}

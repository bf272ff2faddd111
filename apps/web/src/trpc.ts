import type { AppRouter } from "@lakebase-orders/api";
import { QueryClient } from "@tanstack/react-query";
import { createTRPCClient, httpLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import { createTRPCOptionsProxy } from "@trpc/tanstack-react-query";
import { isRetryable, isUnavailable } from "./errors.ts";
import { blocksReading, outageKind } from "./features/lakebase/data-outage.ts";

// Relative URL: the API serves the SPA in production and Vite proxies /api in development.
const TRPC_URL = "/api/trpc";

export function createQueryClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        // Client errors (bad input, not found, forbidden, still syncing) will not heal by retrying, nor will
        // anything while the Lakebase status says the orders cannot be read (stopped, deleted...): the page
        // says so instead, and asks again once the status changes.
        retry: (failureCount, error) => {
          if (failureCount >= 2 || !isRetryable(error)) return false;
          const statusKey = trpc.lakebase.status.queryKey();
          const status = client.getQueryData(statusKey);
          if (isUnavailable(error)) {
            // Maybe an outage the page has not heard of yet: the status is asked now (not at its next poll)
            // and, until one has said all is well, the read waits for it rather than hammering a stopped
            // database (the reads' own poll of unavailable answers asks again meanwhile).
            void client.invalidateQueries({ queryKey: statusKey }, { cancelRefetch: false });
            if (!status) return false;
          }
          return !blocksReading(outageKind(status));
        },
        refetchOnWindowFocus: false,
      },
    },
  });
  return client;
}

export const queryClient = createQueryClient();

export const trpcClient = createTRPCClient<AppRouter>({
  links: [
    splitLink({
      condition: (op) => op.type === "subscription",
      true: httpSubscriptionLink({ url: TRPC_URL }),
      // One request per procedure, no batching: the table's page never waits for the slower stats or
      // status in the same batch, and each part of the page shows as soon as its own answer arrives.
      false: httpLink({ url: TRPC_URL }),
    }),
  ],
});

export const trpc = createTRPCOptionsProxy<AppRouter>({ client: trpcClient, queryClient });

import type { AppRouter } from "@lakebase-orders/api";
import { QueryClient } from "@tanstack/react-query";
import { createTRPCClient, httpLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import { createTRPCOptionsProxy } from "@trpc/tanstack-react-query";
import { isRetryable } from "./errors.ts";

// Relative URL: the API serves the SPA in production and Vite proxies /api in development.
const TRPC_URL = "/api/trpc";

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        // Client errors (bad input, not found, forbidden, still syncing) will not heal by retrying.
        retry: (failureCount, error) => failureCount < 2 && isRetryable(error),
        refetchOnWindowFocus: false,
      },
    },
  });
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

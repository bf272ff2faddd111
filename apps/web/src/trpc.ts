import type { AppRouter } from "@lakebase-orders/api";
import { SPA_MAX_BATCH } from "@lakebase-orders/shared";
import { QueryClient } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import { createTRPCOptionsProxy } from "@trpc/tanstack-react-query";
import { isRetryable } from "./errors.ts";

// Relative URL: the API serves the SPA in production and Vite proxies /api in development.
const TRPC_URL = "/api/trpc";

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      // Client errors (bad input, not found, forbidden, still syncing) will not heal by retrying.
      retry: (failureCount, error) => failureCount < 2 && isRetryable(error),
      refetchOnWindowFocus: false,
    },
  },
});

export const trpcClient = createTRPCClient<AppRouter>({
  links: [
    splitLink({
      condition: (op) => op.type === "subscription",
      true: httpSubscriptionLink({ url: TRPC_URL }),
      // The server refuses batches over MAX_BATCH_SIZE (at least this many).
      false: httpBatchLink({ url: TRPC_URL, maxItems: SPA_MAX_BATCH }),
    }),
  ],
});

export const trpc = createTRPCOptionsProxy<AppRouter>({ client: trpcClient, queryClient });

import { type QueryKey, useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { Order, OrderStatus } from "../../../api-types.ts";
import { describeError, type ErrorInfo } from "../../../errors.ts";
import { trpc } from "../../../trpc.ts";

type RowsSnapshot = [QueryKey, unknown][];

function withStatus(orders: readonly Order[], orderKey: number, status: string): Order[] {
  return orders.map((order) => (order.orderKey === orderKey ? { ...order, status } : order));
}

/**
 * Status change with an optimistic update of the detail and of every cached table page; on CONFLICT or
 * any error it is rolled back and the error kept for the panel to show.
 */
export function useUpdateStatus(orderKey: number) {
  const queryClient = useQueryClient();
  const [rollback, setRollback] = useState<ErrorInfo | null>(null);
  const byKeyKey = trpc.orders.byKey.queryKey({ orderKey });

  const mutation = useMutation(
    trpc.orders.updateStatus.mutationOptions({
      onMutate: async ({ orderKey: key, status }) => {
        setRollback(null);
        await queryClient.cancelQueries({ queryKey: byKeyKey });
        const previousOrder = queryClient.getQueryData(byKeyKey);
        const lists: RowsSnapshot = queryClient.getQueriesData({ queryKey: trpc.orders.list.pathKey() });
        const streams: RowsSnapshot = queryClient.getQueriesData({ queryKey: trpc.orders.stream.pathKey() });
        if (previousOrder) queryClient.setQueryData(byKeyKey, { ...previousOrder, status });
        queryClient.setQueriesData({ queryKey: trpc.orders.list.pathKey() }, (data: unknown) =>
          data && typeof data === "object" && "orders" in data
            ? { ...data, orders: withStatus(data.orders as Order[], key, status) }
            : data,
        );
        queryClient.setQueriesData({ queryKey: trpc.orders.stream.pathKey() }, (data: unknown) =>
          data && typeof data === "object" && "pages" in data
            ? {
                ...data,
                pages: (data.pages as { orders: Order[] }[]).map((p) => ({
                  ...p,
                  orders: withStatus(p.orders, key, status),
                })),
              }
            : data,
        );
        return { previousOrder, snapshots: [...lists, ...streams] };
      },
      onError: (error, _input, context) => {
        if (context?.previousOrder) queryClient.setQueryData(byKeyKey, context.previousOrder);
        for (const [key, data] of context?.snapshots ?? []) queryClient.setQueryData(key, data);
        setRollback(describeError(error));
      },
      onSettled: () =>
        Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.orders.byKey.pathKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.orders.history.pathKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.orders.list.pathKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.orders.stream.pathKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.orders.stats.pathKey() }),
        ]),
    }),
  );

  function change(status: OrderStatus, expectedStatus: string) {
    mutation.mutate({ orderKey, status, expectedStatus });
  }

  return { change, pending: mutation.isPending, rollback, clearRollback: () => setRollback(null) };
}

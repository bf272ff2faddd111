import { type ServerType, serve } from "@hono/node-server";

/** Serves `fetch` on 127.0.0.1 (0 = a free port); resolves once listening. */
export function listen(
  fetch: (request: Request) => Response | Promise<Response>,
  port: number,
): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, port, hostname: "127.0.0.1" }, () => resolve(server));
    server.once("error", reject);
  });
}

export function closeServer(server: ServerType): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Keep-alive sockets of SDK clients would hold the port open otherwise.
    if ("closeAllConnections" in server) server.closeAllConnections();
  });
}

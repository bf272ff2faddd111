/**
 * Sends `message` to the cluster's primary, if this process is a worker that still has its IPC channel.
 * A worker outlives its channel during shutdown (the primary was killed, or disconnected it): Node then
 * fails `process.send` with ERR_IPC_CHANNEL_CLOSED, emitted as an `error` event on the process when no
 * callback is given, which nothing handles and which ends the process mid-shutdown. A message that cannot be
 * sent is dropped: what it told (a change, a readiness) no longer matters to a primary that is gone.
 */
export function sendToPrimary(message: unknown): boolean {
  if (typeof process.send !== "function" || !process.connected) return false;
  try {
    return process.send(message, undefined, {}, () => undefined);
  } catch {
    return false;
  }
}

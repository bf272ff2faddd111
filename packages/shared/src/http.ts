// How the SPA talks to the API, where the server's limits must leave room for it.

/**
 * The most calls the SPA puts in one batched HTTP request (httpBatchLink's maxItems). The server refuses
 * larger batches (MAX_BATCH_SIZE, default and minimum this number).
 */
export const SPA_MAX_BATCH = 10;

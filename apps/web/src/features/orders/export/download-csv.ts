import type { OrderColumn, OrderFilters, OrderSort } from "../../../api-types.ts";

/** The API's CSV export (see apps/api/src/export). */
export const EXPORT_PATH = "/api/export/orders.csv";

export interface ExportRequest {
  filters: OrderFilters;
  sort: OrderSort;
  columns: readonly OrderColumn[];
}

export function exportUrl({ filters, sort, columns }: ExportRequest): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value) params.set(key, value);
  params.set("sort", sort);
  params.set("columns", columns.join(","));
  return `${EXPORT_PATH}?${params}`;
}

export interface ExportProgress {
  /** Data rows received so far (line breaks, less the header line). */
  rows: number;
  bytes: number;
}

export interface ExportResult extends ExportProgress {
  blob: Blob;
  fileName: string;
}

/** `filename="..."` of a Content-Disposition header (the API writes plain ASCII names). */
export function fileNameOf(disposition: string | null): string | null {
  const match = disposition ? /filename="([^"]+)"/.exec(disposition) : null;
  return match?.[1] ?? null;
}

const NEWLINE = 10;

/**
 * Downloads the export as it streams, reporting rows and bytes as they come (at most every `everyMs`), and
 * resolves with the file. A failure before the first byte carries the API's reason.
 */
export async function downloadCsv(
  url: string,
  options: { signal: AbortSignal; onProgress: (p: ExportProgress) => void; everyMs?: number },
): Promise<ExportResult> {
  const response = await fetch(url, { signal: options.signal, headers: { Accept: "text/csv" } });
  if (!response.ok || !response.body) {
    const body = (await response.json().catch(() => null)) as { detail?: string } | null;
    throw new Error(body?.detail ?? `The export failed (HTTP ${response.status})`);
  }
  const fileName = fileNameOf(response.headers.get("content-disposition")) ?? "orders.csv";
  const reader = response.body.getReader();
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let lines = 0;
  let bytes = 0;
  let reported = 0;
  const everyMs = options.everyMs ?? 100;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    bytes += value.byteLength;
    for (let i = value.indexOf(NEWLINE); i !== -1; i = value.indexOf(NEWLINE, i + 1)) lines++;
    const now = performance.now();
    if (now - reported >= everyMs) {
      reported = now;
      options.onProgress({ rows: Math.max(0, lines - 1), bytes });
    }
  }
  const rows = Math.max(0, lines - 1);
  options.onProgress({ rows, bytes });
  return { blob: new Blob(chunks, { type: "text/csv" }), fileName, rows, bytes };
}

import { resourceFromAttributes } from "@opentelemetry/resources";
import { AggregationTemporality, type HistogramMetricData } from "@opentelemetry/sdk-metrics";
import { describe, expect, it } from "vitest";
import { createHistograms } from "./histograms.ts";

async function points(collect: () => ReturnType<ReturnType<typeof createHistograms>["producer"]["collect"]>) {
  const { resourceMetrics } = await collect();
  const metrics = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics) as HistogramMetricData[];
  return metrics.flatMap((m) => m.dataPoints.map((p) => ({ name: m.descriptor.name, ...p })));
}

describe("bound histograms", () => {
  it("aggregate as the SDK's explicit buckets do, per attribute set, cumulative or delta", async () => {
    let temporality = AggregationTemporality.CUMULATIVE;
    const h = createHistograms({
      resource: resourceFromAttributes({}),
      scope: "s",
      temporality: () => temporality,
    });
    const duration = h.histogram("d", "Duration.", "s");
    const ok = duration.bind({ outcome: "ok" });
    const failed = duration.bind({ outcome: "failed" });
    for (const v of [0, 0.004, 5, 7, 12_000]) ok.record(v);
    failed.record(30);
    const first = await points(() => h.producer.collect());
    expect(first).toHaveLength(2);
    const okPoint = first.find((p) => p.attributes.outcome === "ok")!;
    expect(okPoint.value.count).toBe(5);
    expect(okPoint.value.sum).toBeCloseTo(12_012.004);
    expect([okPoint.value.min, okPoint.value.max]).toEqual([0, 12_000]);
    // (-inf, 0], (0, 5], (5, 10], ..., (7500, 10000], (10000, +inf)
    expect(okPoint.value.buckets.counts).toEqual([1, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    // Cumulative: the same points again; delta: only what came since, then nothing.
    expect((await points(() => h.producer.collect())).map((p) => p.value.count).sort()).toEqual([1, 5]);
    temporality = AggregationTemporality.DELTA;
    ok.record(1);
    expect((await points(() => h.producer.collect())).map((p) => p.value.count).sort()).toEqual([1, 6]);
    ok.record(2);
    const delta = await points(() => h.producer.collect());
    expect(delta.map((p) => [p.attributes.outcome, p.value.count])).toEqual([["ok", 1]]);
  });
});

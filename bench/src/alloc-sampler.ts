// Loaded with `node --import` into a server under test (hot-path --alloc-profile): V8's sampling heap
// profiler, keeping the samples of objects already collected (the garbage a request makes, which
// --heap-prof drops), between two SIGUSR2 signals; the second writes <dir>/<pid>-<n>.heapprofile (Chrome
// DevTools' Memory tab, or `node profile-summary.ts --alloc <file>`).
import fs from "node:fs";
import { Session } from "node:inspector";
import path from "node:path";

const dir = process.env.BENCH_ALLOC_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  let sampling = false;
  let written = 0;
  process.on("SIGUSR2", () => {
    if (!sampling) {
      sampling = true;
      session.post("HeapProfiler.startSampling", {
        samplingInterval: 16_384,
        includeObjectsCollectedByMinorGC: true,
        includeObjectsCollectedByMajorGC: true,
      });
      return;
    }
    sampling = false;
    session.post("HeapProfiler.stopSampling", (error, result) => {
      if (error) throw error;
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(
        path.join(dir, `${process.pid}-${written++}.heapprofile`),
        JSON.stringify(result.profile),
      );
    });
  });
}

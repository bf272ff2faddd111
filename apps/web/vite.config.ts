import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { compressPlugin } from "./build/compress-plugin.ts";
import { prerenderPlugin } from "./build/prerender-plugin.ts";

const root = fileURLToPath(new URL(".", import.meta.url));
const webPort = Number(process.env.WEB_PORT ?? 5173);
const apiTarget = `http://127.0.0.1:${process.env.API_PORT ?? 8000}`;

export default defineConfig({
  plugins: [
    react(),
    prerenderPlugin({
      root,
      // The API serves /admin from admin.html when it exists, index.html for every other client route.
      entry: fileURLToPath(new URL("./src/prerender.tsx", import.meta.url)),
    }),
    compressPlugin(),
  ],
  server: {
    host: "127.0.0.1",
    port: webPort,
    strictPort: true,
    proxy: {
      // SSE (lakebase.progress) goes through the same proxy; http-proxy streams it without buffering.
      "/api": { target: apiTarget, changeOrigin: false },
    },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    // The budget is checked by scripts/check-bundle-size.ts with gzip, which is what users download.
    chunkSizeWarningLimit: 600,
  },
});

import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [react()],
  server: {
    // Same origin as in production, where nginx proxies /api/ to the API: the app never
    // needs CORS or a configurable base URL. 127.0.0.1, not localhost: Node may resolve
    // localhost to ::1 while the API listens on IPv4. API_PORT is the API's PORT, which `pnpm dev` passes on.
    proxy: { "/api": { target: `http://127.0.0.1:${process.env.API_PORT ?? "3000"}` } },
  },
  build: {
    // The assets are fingerprinted and served with a year of immutable caching by nginx;
    // no source maps are shipped.
    sourcemap: false,
    // Every browser in Vite's default target either supports <link rel=modulepreload> or
    // loads the lazy chunk without it: the polyfill would only add to the initial JS.
    modulePreload: { polyfill: false },
  },
});

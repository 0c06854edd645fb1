import { sveltekit } from '@sveltejs/kit/vite';
import type { ProxyOptions } from 'vite';
import { defineConfig } from 'vitest/config';

// Development only: the gateway serves the UI and the APIs on one origin in production. Here
// `vite dev` / `vite preview` (port 4455) play that part and forward the API paths, so the
// browser sees one origin and the identity server's cookies just work.
const publicApi = process.env.NEXUS_PUBLIC_URL ?? 'http://127.0.0.1:4433';
const adminApi = process.env.NEXUS_ADMIN_URL ?? 'http://127.0.0.1:4434';
const adminKey = process.env.NEXUS_ADMIN_API_KEY;

const toPublic: ProxyOptions = { target: publicApi, changeOrigin: false, xfwd: true };

const proxy: Record<string, ProxyOptions> = {
  '/self-service': toPublic,
  '/sessions': toPublic,
  '/schemas': toPublic,
  '/.well-known/ory': toPublic,
  // ADMIN_API_PREFIX in src/lib/config.ts: strip it and add the admin API key, as the gateway
  // rule does in production (after checking that the caller is an administrator).
  '/api/admin': {
    target: adminApi,
    rewrite: (path) => path.replace(/^\/api\/admin/, ''),
    headers: adminKey ? { Authorization: `Bearer ${adminKey}` } : undefined
  }
};

export default defineConfig({
  plugins: [sveltekit()],
  server: { host: '127.0.0.1', proxy },
  preview: { host: '127.0.0.1', proxy },
  build: { target: 'es2022', sourcemap: !!process.env.SOURCEMAP },
  test: {
    include: ['src/**/*.test.ts', 'e2e/**/*.test.mjs'],
    environment: 'node'
  }
});

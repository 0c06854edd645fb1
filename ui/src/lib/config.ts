/**
 * Same-origin prefix under which the gateway exposes the identity server's admin API. The
 * gateway strips it, lets only administrators through and adds the admin API key, so the
 * browser never holds the key. `vite dev`/`vite preview` do the same (vite.config.ts).
 */
export const ADMIN_API_PREFIX = '/api/admin';

/**
 * Base URL of the identity server's public API. Empty: the UI's own origin, where the gateway
 * (or the dev server's proxy) forwards `/self-service`, `/sessions` and `/schemas`.
 */
export const PUBLIC_API_BASE = '';

/** Product name shown in the header and page titles. */
export const PRODUCT_NAME = 'Nexus';

// Admin pages are served by the SPA fallback (200.html) rather than prerendered: no `admin/`
// directory in the build, which static servers would redirect `/admin` to (`/admin/`).
export const prerender = false;

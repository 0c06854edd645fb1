// A static single-page app: every page is prerendered as an empty shell and rendered in the
// browser, which talks to the identity server through its HTTP API.
export const ssr = false;
export const prerender = true;
export const trailingSlash = 'never';

import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
export default {
  preprocess: vitePreprocess(),
  kit: {
    // Static files only: every page is prerendered as an empty shell that the client fills in,
    // and 200.html is the fallback for any other path.
    adapter: adapter({ fallback: '200.html', strict: true }),
    // Absolute asset paths, so the fallback page works at any depth.
    paths: { relative: false },
    csp: {
      // Prerendered pages carry the policy in a <meta> tag with hashes of Kit's inline boot script.
      mode: 'hash',
      directives: {
        'default-src': ['self'],
        'script-src': ['self'],
        // Inline styles: SvelteKit's route announcer sets a style attribute; scripts stay strict.
        'style-src': ['self', 'unsafe-inline'],
        'img-src': ['self', 'data:'],
        'connect-src': ['self'],
        'form-action': ['self'],
        'base-uri': ['self'],
        'object-src': ['none']
      }
    }
  }
};

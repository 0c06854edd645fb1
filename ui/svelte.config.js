import adapter from '@sveltejs/adapter-static';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

// The one inline script of app.html (early flow request) is allowed by its hash.
const early = /<script>([\s\S]*?)<\/script>/.exec(readFileSync(new URL('./src/app.html', import.meta.url), 'utf8'))[1];
const earlyHash = `sha256-${createHash('sha256').update(early).digest('base64')}`;

/** @type {import('@sveltejs/kit').Config} */
export default {
  preprocess: vitePreprocess(),
  kit: {
    // Static files only: every page is prerendered as an empty shell that the client fills in,
    // and 200.html is the fallback for any other path.
    // precompress: .br and .gz beside every file, for servers that serve precompressed files.
    adapter: adapter({ fallback: '200.html', strict: true, precompress: true }),
    // Absolute asset paths, so the fallback page works at any depth.
    paths: { relative: false },
    output: { bundleStrategy: 'single' },
    csp: {
      // Prerendered pages carry the policy in a <meta> tag with hashes of Kit's inline boot script.
      mode: 'hash',
      directives: {
        'default-src': ['self'],
        'script-src': ['self', earlyHash],
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

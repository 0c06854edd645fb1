// Keyset paging of the admin API: the next page is named by a `page_token` in the Link header,
// e.g. `</admin/identities?page_size=100&page_token=abc>; rel="next"`.

/** The `page_token` of each relation (`next`, `first`, …) in a Link header. */
export function pageTokens(link: string | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!link) return out;
  for (const part of link.split(/,(?=\s*<)/)) {
    const m = /<([^>]*)>\s*;(.*)/.exec(part.trim());
    if (!m) continue;
    const rels = /rel="?([^";]+)"?/.exec(m[2])?.[1]?.split(/\s+/) ?? [];
    let token: string | null = null;
    try {
      token = new URL(m[1], 'http://x').searchParams.get('page_token');
    } catch {
      token = null;
    }
    if (token === null) continue;
    for (const rel of rels) out[rel] = token;
  }
  return out;
}

/** The next page's token, or undefined on the last page. */
export function nextPageToken(link: string | null | undefined): string | undefined {
  return pageTokens(link).next;
}

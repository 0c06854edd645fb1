import { describe, expect, it } from 'vitest';
import { nextPageToken, pageTokens } from './paging';

describe('admin paging from the Link header', () => {
  it('reads next and first page tokens', () => {
    const link =
      '</admin/identities?page_size=25&page_token=eyJpZCI6IjEifQ>; rel="next",</admin/identities?page_size=25&page_token=first0>; rel="first"';
    expect(pageTokens(link)).toEqual({ next: 'eyJpZCI6IjEifQ', first: 'first0' });
    expect(nextPageToken(link)).toBe('eyJpZCI6IjEifQ');
  });

  it('handles absolute URLs, spaces and unquoted rels', () => {
    const link = '<http://127.0.0.1:4434/admin/identities?page_token=abc%3D%3D&page_size=2>;rel=next';
    expect(nextPageToken(link)).toBe('abc==');
  });

  it('has no next token on the last page', () => {
    expect(nextPageToken('</admin/identities?page_size=25&page_token=first0>; rel="first"')).toBeUndefined();
    expect(nextPageToken(null)).toBeUndefined();
    expect(nextPageToken('garbage')).toBeUndefined();
  });
});

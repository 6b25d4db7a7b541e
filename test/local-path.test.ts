// The example app's `localPath` turns a `returnTo` from the query or the state into a redirect target.
// Whatever it returns must stay on the app's own origin, in every way a browser may read a Location header.

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { localPath } = require('../example-app/app.js') as { localPath: (value: unknown) => string | undefined };

describe('localPath', () => {
  it.each([
    '/.//evil.example',
    '/./\\evil.example',
    '/..//evil.example',
    '/a/../..//evil.example',
    '/%2e%2e//evil.example',
    '/%2e//evil.example',
    '//evil.example',
    '///evil.example',
    '/\\evil.example',
    '\\/evil.example',
    '/%2F%2Fevil.example',
    '/%2f/evil.example',
    '/%5Cevil.example',
    '/%5C%5Cevil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    '/\r\n/evil.example',
    '/ok\u0000',
    '/ok\u001b[31m',
    '/ok\u007f',
    '/ok\\x',
    '/%E0%A4%A',
    'https://evil.example',
    'javascript:alert(1)',
    'evil.example',
    ' /ok',
    '',
    undefined,
    null,
    42,
    ['/ok'],
    { toString: () => '/ok' },
  ])('refuses %j', (value) => {
    expect(localPath(value)).toBeUndefined();
  });

  it.each([
    ['/', '/'],
    ['/profile', '/profile'],
    ['/ok?x=1', '/ok?x=1'],
    ['/reports/2024?sort=desc&page=2', '/reports/2024?sort=desc&page=2'],
    ['/a/./b/../c', '/a/c'],
    ['/ok#section', '/ok'],
    ['/caf%C3%A9', '/caf%C3%A9'],
    ['/search?q=a%2F%2Fb', '/search?q=a%2F%2Fb'],
  ])('keeps the same-origin path %j as %j', (value, expected) => {
    expect(localPath(value)).toBe(expected);
  });

  it('never returns anything a browser would resolve to another origin', () => {
    const inputs = ['/', '.', '..', '/', '\\', '%2F', '%2e', '%5C', 'evil', '?', '#', '\t', ':', '@'];
    for (const a of inputs)
      for (const b of inputs)
        for (const c of inputs) {
          const path = localPath(`/${a}${b}${c}`);
          if (path === undefined) continue;
          expect(path).toMatch(/^\/(?![/\\])/);
          expect(new URL(path, 'https://app.example/some/page').origin).toBe('https://app.example');
        }
  });
});

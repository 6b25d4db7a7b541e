// How every error's message ends: a link to its code's entry in docs/troubleshooting.md.

/** ` (see https://…/docs/troubleshooting.md#<code>)`, as an error with `code` ends its message. */
export function seeGuide(code: string): string {
  return ` (see https://github.com/passport-justlogin/passport-justlogin/blob/main/docs/troubleshooting.md#${code.toLowerCase()})`;
}

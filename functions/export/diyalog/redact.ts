/** Most characters of a response body that an error may quote. */
export const SNIPPET_LENGTH = 200;

const REDACTED = '[redacted]';

/**
 * A response body made fit to quote in an error or a log: whitespace folded, every occurrence of each secret
 * replaced by `[redacted]`, then cut to {@link SNIPPET_LENGTH} characters (plus `…`). Secrets are removed before
 * the cut, so a secret that straddles it leaves no prefix behind.
 *
 * @param secrets values that must never be shown, e.g. the access key secret and the request's signature; empty
 * strings are ignored
 */
export function redactedSnippet(text: string, secrets: readonly string[]): string {
  let folded = foldWhitespace(text);
  for (const secret of secrets) {
    // Folded like the text, so that a secret with a run of whitespace still matches its folded echo.
    const target = foldWhitespace(secret);
    if (target) folded = folded.split(target).join(REDACTED);
  }
  return folded.length > SNIPPET_LENGTH ? `${folded.slice(0, SNIPPET_LENGTH)}…` : folded;
}

function foldWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

import { describe, expect, it } from 'vitest';
import { redactedSnippet, SNIPPET_LENGTH } from '../../../functions/export/diyalog/redact.js';

const SECRET = 'canary-secret-7f3a9c';
const SIGNATURE = 'FATXYglmVdiDAeqzmls1Avg4sZqFusBCrbmeSMV4j18=';

describe('redactedSnippet', () => {
  it('keeps a short body, whitespace folded and trimmed', () => {
    expect(redactedSnippet('  java.lang.NullPointerException\n\tat com.diyalog.Service  ', [])).toBe(
      'java.lang.NullPointerException at com.diyalog.Service',
    );
  });

  it('cuts a long body to the snippet length and marks the cut', () => {
    const snippet = redactedSnippet('x'.repeat(1_000), []);
    expect(snippet).toBe(`${'x'.repeat(SNIPPET_LENGTH)}…`);
  });

  it('removes every occurrence of each secret', () => {
    const body = `bad request: DLGA AK-test:${SIGNATURE} secret=${SECRET}; again ${SECRET}`;
    expect(redactedSnippet(body, [SECRET, SIGNATURE])).toBe(
      'bad request: DLGA AK-test:[redacted] secret=[redacted]; again [redacted]',
    );
  });

  it('leaves no prefix of a secret that straddles the cut', () => {
    const lead = 'y'.repeat(SNIPPET_LENGTH - 5);
    const snippet = redactedSnippet(`${lead}${SECRET} and more`, [SECRET]);
    expect(snippet).toBe(`${lead}[reda…`);
    for (let length = 3; length <= SECRET.length; length++) expect(snippet).not.toContain(SECRET.slice(0, length));
  });

  it('removes a secret holding a run of whitespace, which folding the body would otherwise turn into a miss', () => {
    expect(redactedSnippet('rejected key "pass  word\t1" for AK-test', ['pass  word\t1'])).toBe(
      'rejected key "[redacted]" for AK-test',
    );
  });

  it('ignores an empty secret', () => {
    expect(redactedSnippet('Authorization failed', ['', SECRET])).toBe('Authorization failed');
  });
});

import { describe, expect, it } from 'vitest';
import { parsePageItems, readBoundedBody } from '../../../functions/export/diyalog/decode.js';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A body streamed in `chunk`-sized pieces without end; counts what was pulled and whether it was cancelled. */
function endlessBody(chunk: number): {
  stream: ReadableStream<Uint8Array>;
  pulled: () => number;
  cancelled: () => boolean;
} {
  let pulls = 0;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulls++;
      controller.enqueue(new Uint8Array(chunk).fill(32));
    },
    cancel() {
      cancelled = true;
    },
  });
  return { stream, pulled: () => pulls, cancelled: () => cancelled };
}

/** A body that sends `bytes`, then ends normally or breaks like a dropped connection. */
function bodyOf(bytes: Uint8Array, end: 'close' | 'break'): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      if (end === 'close') controller.close();
      else controller.error(new TypeError('terminated'));
    },
  });
}

describe('readBoundedBody', () => {
  it('reads a UTF-8 body whole', async () => {
    const text = '[{"customerName":"Ayşe Yılmaz","helpState":"Ended by customer"}]';
    await expect(readBoundedBody(new Response(text), 1_000)).resolves.toEqual({ kind: 'text', text });
  });

  it('reads a missing body as empty text', async () => {
    await expect(readBoundedBody(new Response(null, { status: 204 }), 1_000)).resolves.toEqual({
      kind: 'text',
      text: '',
    });
  });

  it('accepts a body of exactly the limit', async () => {
    const text = 'x'.repeat(1_000);
    await expect(readBoundedBody(new Response(text), 1_000)).resolves.toEqual({ kind: 'text', text });
  });

  it('refuses a body whose declared length exceeds the limit, cancelling it unread', async () => {
    const body = endlessBody(4_096);
    const response = new Response(body.stream, { headers: { 'content-length': '1000001' } });
    await expect(readBoundedBody(response, 1_000_000)).resolves.toEqual({ kind: 'oversized' });
    expect(body.cancelled()).toBe(true);
    expect(body.pulled()).toBeLessThanOrEqual(1); // at most the stream's own eager first pull
  });

  it('refuses a streamed body that declares no length as soon as it passes the limit', async () => {
    const body = endlessBody(4_096);
    await expect(readBoundedBody(new Response(body.stream), 100_000)).resolves.toEqual({ kind: 'oversized' });
    expect(body.cancelled()).toBe(true);
    // 25 chunks pass 100 000 bytes; the stream may pull one ahead, never much more.
    expect(body.pulled()).toBeLessThanOrEqual(27);
  });

  it('throws for a body cut inside a multi-byte character', async () => {
    const bytes = utf8('[{"customerName":"Ayş');
    const cut = bytes.subarray(0, bytes.length - 1); // 'ş' is two bytes; keep only the first
    await expect(readBoundedBody(new Response(bodyOf(cut, 'close')), 1_000)).rejects.toThrow(TypeError);
  });

  it('throws when the connection breaks mid-body', async () => {
    await expect(readBoundedBody(new Response(bodyOf(utf8('[{"onlineHelpId":'), 'break')), 1_000)).rejects.toThrow(
      'terminated',
    );
  });
});

describe('parsePageItems', () => {
  it('parses a JSON array of items, numbers as numbers', () => {
    expect(parsePageItems('[{"onlineHelpId":42,"helpRequestedAt":1763900000000,"waitTime":1.5}]')).toEqual([
      { onlineHelpId: 42, helpRequestedAt: 1_763_900_000_000, waitTime: 1.5 },
    ]);
    expect(parsePageItems('[]')).toEqual([]);
  });

  it('keeps 64-bit ids past 2^53 exact as bigint, positive and negative, and leaves the other numbers alone', () => {
    const text =
      '[{"onlineHelpId":9007199254740993,"helpRequestedAt":1763900000000},' +
      '{"callId":-1527120504243668640,"callTime":0}]';
    expect(parsePageItems(text)).toEqual([
      { onlineHelpId: 9_007_199_254_740_993n, helpRequestedAt: 1_763_900_000_000 },
      { callId: -1_527_120_504_243_668_640n, callTime: 0 },
    ]);
  });

  it.each([
    ['an object', '{"error":"internal","message":"try later"}'],
    ['null', 'null'],
    ['HTML', '<html><body>Bad Gateway</body></html>'],
    ['a truncated array', '[{"onlineHelpId":1,"helpRequestedAt":'],
    ['empty text', ''],
  ])('refuses %s', (_what, text) => {
    expect(parsePageItems(text)).toBeUndefined();
  });
});

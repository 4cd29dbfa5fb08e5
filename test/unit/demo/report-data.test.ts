import { describe, expect, it } from 'vitest';
import { createReportData } from '../../../functions/demo/report-data.js';
import { CALLS_ROUTE } from '../../../functions/demo/routes.js';
import type { SimCall } from '../../../functions/demo/index.js';
import { serialiseItems } from '../../../functions/demo/wire.js';

const INT64_MAX = 2n ** 63n - 1n;
const AT = Date.UTC(2025, 10, 24, 9);
const WINDOW = { startDate: AT - 10, endDate: AT + 10 };
const call = (callId: bigint, callStartedAt = AT): SimCall => ({ callId, callStartedAt });
const all = (): boolean => true;

describe('report data', () => {
  it('selects newest first, ties by signed id descending, at most limit items, within the window', () => {
    const data = createReportData(CALLS_ROUTE);
    data.replace([call(-3n), call(5n, AT - 11), call(2n), call(9n, AT + 1), call(-7n), call(1n, AT + 11)]);
    const ids = (limit: number): bigint[] => data.select(WINDOW, all, limit).map((c) => c.callId);
    expect(ids(10)).toEqual([9n, 2n, -3n, -7n]);
    expect(ids(2)).toEqual([9n, 2n]);
    expect(data.select(WINDOW, (c) => c.callId < 0n, 10).map((c) => c.callId)).toEqual([-3n, -7n]);
  });

  it('makes up items with ids no other item has, also when the largest id is the int64 maximum', () => {
    const data = createReportData(CALLS_ROUTE);
    expect(data.fabricate(AT).callId).toBe(CALLS_ROUTE.firstFabricatedId);
    data.replace([call(-4n), call(10n ** 17n)]);
    expect(data.fabricate(AT)).toMatchObject({ callId: 10n ** 17n + 1n, callStartedAt: AT });
    data.replace([call(-4n), call(INT64_MAX)]);
    expect([data.fabricate(AT).callId, data.fabricate(AT).callId]).toEqual([-5n, -6n]);
  });
});

describe('page JSON', () => {
  it('writes the id field first as an exact integer and every other field as JSON does', () => {
    const items = [{ n: 1, callId: -(2n ** 63n), s: '' }, { callId: INT64_MAX }];
    expect(serialiseItems(items, 'callId')).toBe(
      '[{"callId":-9223372036854775808,"n":1,"s":""},{"callId":9223372036854775807}]',
    );
    expect(serialiseItems([], 'callId')).toBe('[]');
    expect(() => serialiseItems([{ callId: 1 }], 'callId')).toThrow(TypeError);
  });
});

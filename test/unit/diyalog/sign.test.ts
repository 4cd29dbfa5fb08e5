import { describe, expect, it } from 'vitest';
import { computeSignature, formatDlgDate, signRequest, stringToSign } from '../../../functions/export/diyalog/sign.js';

// The test vector of ../shared/diyalog-api.md §2.
const vector = {
  method: 'POST',
  contentType: 'application/json',
  date: 'Mon, 24 Nov 2025 00:30:00 GMT',
  body: '{"startDate":1763848800000,"endDate":1763935199999}',
  resource: '/v1/reporting/getonlinehelplist',
};
const secret = 'test-secret-0123456789';

describe('signing', () => {
  it('matches the spec vector with a newline before the resource (default variant)', () => {
    expect(computeSignature(secret, vector, 'newline')).toBe('FATXYglmVdiDAeqzmls1Avg4sZqFusBCrbmeSMV4j18=');
  });

  it('matches the spec vector without the newline (concat variant)', () => {
    expect(computeSignature(secret, vector, 'concat')).toBe('Q+GhndC4lraHX+5zHgnFdF4WfqZibUnSYAFcp5+Mf0Y=');
  });

  it('builds the string to sign field by field', () => {
    expect(stringToSign(vector, 'newline')).toBe(
      'POST\napplication/json\nMon, 24 Nov 2025 00:30:00 GMT\n{"startDate":1763848800000,"endDate":1763935199999}\n/v1/reporting/getonlinehelplist',
    );
    expect(stringToSign(vector, 'concat')).toBe(
      'POST\napplication/json\nMon, 24 Nov 2025 00:30:00 GMT\n{"startDate":1763848800000,"endDate":1763935199999}/v1/reporting/getonlinehelplist',
    );
  });

  it('produces the three x-dlg headers', () => {
    const headers = signRequest(
      vector,
      { accessKeyId: 'AK1', accessKeySecret: secret, requesterUserId: 'etl' },
      'newline',
    );
    expect(headers).toEqual({
      'x-dlg-date': 'Mon, 24 Nov 2025 00:30:00 GMT',
      'x-dlg-requester-userid': 'etl',
      'x-dlg-authorization': 'DLGA AK1:FATXYglmVdiDAeqzmls1Avg4sZqFusBCrbmeSMV4j18=',
    });
  });

  it('signs UTF-8 bodies byte-exactly', () => {
    const body = '{"customerId":"Çağrı İşgüzar"}';
    const a = computeSignature(secret, { ...vector, body }, 'newline');
    const b = computeSignature(secret, { ...vector, body: body.normalize('NFD') }, 'newline');
    expect(a).not.toBe(b);
  });

  it('formats the date as IMF-fixdate', () => {
    expect(formatDlgDate(new Date(Date.UTC(2021, 2, 9, 13, 28, 32)))).toBe('Tue, 09 Mar 2021 13:28:32 GMT');
  });
});

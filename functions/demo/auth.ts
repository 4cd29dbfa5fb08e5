import type { SignatureVariant } from '../contract/settings.js';
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { computeSignature, type Credentials } from '../export/diyalog/sign.js';

/** A key pair the simulator accepts. */
export type SimCredentials = Pick<Credentials, 'accessKeyId' | 'accessKeySecret'>;

/** How far the `x-dlg-date` may be from the server's clock, either way, in milliseconds (spec §2). */
export const MAX_CLOCK_SKEW_MS = 15 * 60_000;

/** A refused request: its status and exact plain-text body (spec §1, "Errors"). */
export interface AuthFailure {
  readonly status: 400 | 401 | 403;
  readonly body: string;
}

const MISSING_HEADERS: AuthFailure = { status: 400, body: 'Required headers not found' };
const BAD_FORMAT: AuthFailure = { status: 400, body: 'Authorization failed due to data format not valid' };
const BAD_DATE: AuthFailure = { status: 400, body: 'Authorization failed due to date not valid' };
const CLOCK_SKEW: AuthFailure = { status: 403, body: 'Request time may not be correct.' };
const BAD_SIGNATURE: AuthFailure = { status: 401, body: 'Authorization failed' };

/** The parts of a received request that authentication looks at. */
export interface ReceivedRequest {
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  /** The raw body bytes, decoded as UTF-8. */
  readonly body: string;
  /** The request path as received (including any prefix), without the query string. */
  readonly resource: string;
}

/** What the server checks against. */
export interface AuthPolicy {
  /** Access key id → secret. */
  readonly secrets: ReadonlyMap<string, string>;
  readonly variant: SignatureVariant;
  /** The server's clock, epoch ms. */
  readonly now: number;
}

const AUTHORIZATION = /^DLGA ([^\s:]+):([^\s:]+)$/;

/**
 * Checks the HMAC headers in the order of spec §1: headers present, authorization format, date format, clock
 * skew, then key and signature. Returns the failure, or `undefined` when the request is authentic.
 * An empty header counts as missing.
 */
export function authenticate(request: ReceivedRequest, policy: AuthPolicy): AuthFailure | undefined {
  const date = header(request.headers, 'x-dlg-date');
  const requester = header(request.headers, 'x-dlg-requester-userid');
  const authorization = header(request.headers, 'x-dlg-authorization');
  if (!date || !requester || !authorization) return MISSING_HEADERS;

  const [, accessKeyId, signature] = AUTHORIZATION.exec(authorization) ?? [];
  if (accessKeyId === undefined || signature === undefined) return BAD_FORMAT;

  const instant = parseDlgDate(date);
  if (instant === undefined) return BAD_DATE;
  if (Math.abs(instant - policy.now) > MAX_CLOCK_SKEW_MS) return CLOCK_SKEW;

  const secret = policy.secrets.get(accessKeyId);
  if (secret === undefined) return BAD_SIGNATURE;
  const expected = computeSignature(
    secret,
    {
      method: request.method,
      contentType: header(request.headers, 'content-type') ?? '',
      date,
      body: request.body,
      resource: request.resource,
    },
    policy.variant,
  );
  return sameText(expected, signature) ? undefined : BAD_SIGNATURE;
}

const DLG_DATE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2})(?: (GMT|UTC|[+-]\d{4}))?$/;

/**
 * Parses an `x-dlg-date` (`EEE, dd MMM yyyy HH:mm:ss Z`) to epoch ms, or `undefined` if it is not one. The zone
 * may be `GMT`, `UTC` or `±hhmm`; without one GMT is assumed (spec §2). Like Java's lenient parser, a weekday that
 * does not match the date is ignored; an impossible date such as 31 Feb is rejected.
 */
export function parseDlgDate(value: string): number | undefined {
  const [, dateTime, zone = 'GMT'] = DLG_DATE.exec(value) ?? [];
  if (dateTime === undefined) return undefined;
  const local = Date.parse(`${dateTime} GMT`);
  const offsetMs = zoneOffsetMs(zone);
  // Formatting back catches fields that Date.parse silently rolls over (31 Feb, 24:00:00).
  if (Number.isNaN(local) || offsetMs === undefined || new Date(local).toUTCString().slice(5, -4) !== dateTime) {
    return undefined;
  }
  return local - offsetMs;
}

function zoneOffsetMs(zone: string): number | undefined {
  if (zone === 'GMT' || zone === 'UTC') return 0;
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(3, 5));
  if (hours > 23 || minutes > 59) return undefined;
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes) * 60_000;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

import { createHmac } from 'node:crypto';
import type { SignatureVariant } from '../../contract/settings.js';

/** The keys an integration gets from the Diyalog administrator, plus the audit identity it acts as. */
export interface Credentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  /** Staff number or system id written to Diyalog's audit log (`x-dlg-requester-userid`). */
  readonly requesterUserId: string;
}

/** The parts of a request that the signature covers, exactly as they are sent. */
export interface SignableRequest {
  readonly method: string;
  readonly contentType: string;
  /** The exact `x-dlg-date` value. */
  readonly date: string;
  /** The exact body bytes sent, as a string; never a re-serialisation. */
  readonly body: string;
  /** The URL path after the host, including any prefix of the base URL. */
  readonly resource: string;
}

export interface SignedHeaders {
  readonly 'x-dlg-date': string;
  readonly 'x-dlg-requester-userid': string;
  readonly 'x-dlg-authorization': string;
}

/** `x-dlg-date` format: IMF-fixdate, e.g. `Tue, 09 Mar 2021 13:28:32 GMT`. */
export function formatDlgDate(instant: Date): string {
  return instant.toUTCString();
}

export function stringToSign(request: SignableRequest, variant: SignatureVariant): string {
  const bodyToResource = variant === 'newline' ? '\n' : '';
  return `${request.method}\n${request.contentType}\n${request.date}\n${request.body}${bodyToResource}${request.resource}`;
}

/** base64(HMAC-SHA256(secret, stringToSign)). */
export function computeSignature(secret: string, request: SignableRequest, variant: SignatureVariant): string {
  return createHmac('sha256', secret).update(stringToSign(request, variant), 'utf8').digest('base64');
}

/** The three authentication headers for one request. Pure: no clock, no I/O. */
export function signRequest(
  request: SignableRequest,
  credentials: Credentials,
  variant: SignatureVariant,
): SignedHeaders {
  const signature = computeSignature(credentials.accessKeySecret, request, variant);
  return {
    'x-dlg-date': request.date,
    'x-dlg-requester-userid': credentials.requesterUserId,
    'x-dlg-authorization': `DLGA ${credentials.accessKeyId}:${signature}`,
  };
}

import type { Credentials } from './sign.js';

/** Supplies the API keys. Production reads them from Secrets Manager and caches them. */
export interface CredentialsProvider {
  get(): Promise<Credentials>;
  /**
   * Re-reads the keys after the server rejected a signature (they may have been rotated).
   * @returns whether the keys changed, i.e. whether another attempt can succeed
   */
  refresh(): Promise<boolean>;
}

/** Keys given once (CLI flags or environment); refreshing cannot change them. */
export function staticCredentials(credentials: Credentials): CredentialsProvider {
  return {
    get: () => Promise.resolve(credentials),
    refresh: () => Promise.resolve(false),
  };
}

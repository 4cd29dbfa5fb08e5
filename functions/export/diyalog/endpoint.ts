import { ConfigError } from '../core/errors.js';

/** The report's path below the installation's base URL. */
export const ONLINE_HELP_LIST_PATH = '/v1/reporting/getonlinehelplist';

/**
 * Validates the base URL of a Diyalog installation and returns the full report URL. The base may carry a path
 * prefix (a reverse proxy's mount point); it is part of the signed resource. TLS is mandatory: plain `http://`
 * is accepted only for loopback hosts (the simulator, an SSH tunnel).
 *
 * @param setting the variable or flag the value came from, named in errors
 */
export function reportUrl(base: string, setting: string): URL {
  let url: URL;
  try {
    url = new URL(base.trim());
  } catch {
    throw new ConfigError(setting, `"${base}" is not a URL; expected e.g. https://diyalog.example.com`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(setting, `unsupported scheme "${url.protocol}"; use https://`);
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw new ConfigError(
      setting,
      `plain http:// is refused for ${url.hostname}: the request carries signed credentials and customer data; use https://`,
    );
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new ConfigError(setting, 'the base URL must not contain credentials, a query string or a fragment');
  }
  url.pathname = url.pathname.replace(/\/+$/, '') + ONLINE_HELP_LIST_PATH;
  return url;
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

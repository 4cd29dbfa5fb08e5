import { apiEndpointSetting } from '../../contract/settings.js';
import { rethrowAs } from '../core/errors.js';

/** The report's path below the installation's base URL. */
export const ONLINE_HELP_LIST_PATH = '/v1/reporting/getonlinehelplist';

/**
 * The full report URL of a Diyalog installation's base URL, which is validated first (see `apiEndpointSetting`).
 * The base may carry a path prefix (a reverse proxy's mount point); it is part of the signed resource.
 *
 * @param setting the variable or flag the value came from, named in errors
 */
export function reportUrl(base: string, setting: string): URL {
  const url = new URL(rethrowAs(setting, () => apiEndpointSetting(base, setting)));
  url.pathname = url.pathname.replace(/\/+$/, '') + ONLINE_HELP_LIST_PATH;
  return url;
}

import { apiEndpointSetting } from '../../contract/settings.js';
import { rethrowAs } from '../core/errors.js';

/**
 * The full URL of a report (its path, e.g. `/v1/reporting/getcalllist`) on a Diyalog installation's base URL,
 * which is validated first (see `apiEndpointSetting`). The base may carry a path prefix (a reverse proxy's mount
 * point); it is part of the signed resource.
 *
 * @param setting the variable or flag the value came from, named in errors
 */
export function reportUrl(base: string, reportPath: string, setting: string): URL {
  const url = new URL(rethrowAs(setting, () => apiEndpointSetting(base, setting)));
  url.pathname = url.pathname.replace(/\/+$/, '') + reportPath;
  return url;
}

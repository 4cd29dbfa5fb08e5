/** Whether a JSON value is a list of strings, as the names of reports are given. */
export function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** The fields of a JSON object value, or undefined when the value is not an object (null and arrays are not). */
export function jsonObject(value: unknown): Readonly<Record<string, unknown>> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const fields: Record<string, unknown> = Object.fromEntries(Object.entries(value));
  return fields;
}

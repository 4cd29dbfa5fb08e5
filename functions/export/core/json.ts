/** The fields of a JSON object value, or undefined when the value is not an object (null and arrays are not). */
export function jsonObject(value: unknown): Readonly<Record<string, unknown>> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const fields: Record<string, unknown> = Object.fromEntries(Object.entries(value));
  return fields;
}

/** JSON text of a value that may hold bigints (64-bit ids), which are written as decimal strings. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, (_key, field: unknown) => (typeof field === 'bigint' ? field.toString() : field));
}

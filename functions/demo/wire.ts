/**
 * The JSON text of a page of API items, with each item's `idField` first and written as an exact integer
 * literal: 64-bit ids pass 2^53 and may be negative, which a JSON number made from a `number` would round.
 * The other fields are written as `JSON.stringify` writes them, so `""` stays `""` and an absent field stays
 * absent.
 */
export function serialiseItems(items: readonly object[], idField: string): string {
  return `[${items.map((item) => serialiseItem(item, idField)).join(',')}]`;
}

function serialiseItem(item: object, idField: string): string {
  const { [idField]: id, ...rest } = item as Readonly<Record<string, unknown>>;
  if (typeof id !== 'bigint') throw new TypeError(`${idField} must be a bigint`);
  const head = `{${JSON.stringify(idField)}:${id.toString()}`;
  const fields = JSON.stringify(rest);
  return fields === '{}' ? `${head}}` : `${head},${fields.slice(1)}`;
}

// JSON-safe types: saved artifacts are typed with these so a field that is not JSON fails to compile.

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * `record[key]` when `record` has it as its own property, else undefined. Keys that come from data
 * (column names, category values) must be looked up this way: a column named `constructor` or
 * `toString` would otherwise find Object.prototype's function.
 */
export function ownValue<V>(record: Readonly<Record<string, V>> | undefined, key: string): V | undefined {
  return record !== undefined && Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

/** Sets `record[key]` as an own property, so a key `__proto__` is data rather than the prototype. */
export function setOwn<V>(record: Record<string, V>, key: string, value: V): void {
  Object.defineProperty(record, key, { value, writable: true, enumerable: true, configurable: true });
}

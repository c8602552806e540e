/** Every value of a response header (names are lower-cased by the driver; `set-cookie` is always an array). */
export function headerValues(headers: Record<string, string | string[]>, name: string): string[] {
  const value = headers[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

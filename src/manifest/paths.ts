/** A JSON path as problems name it: `images[3].focus`, `headers["photos.example"]`. */
export function formatPath(keys: (string | number)[]): string {
  // A key that is not a plain name (a host in "headers": "photos.example") is quoted, so the path stays unambiguous.
  return keys.map((key, i) => (typeof key === 'number' ? `[${key}]` : !/^[A-Za-z_$][\w$]*$/.test(key) ? `[${JSON.stringify(key)}]` : i === 0 ? key : `.${key}`)).join('');
}

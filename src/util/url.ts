// Server URLs as soma prints them: never with their password.

/** The URL with its password (if any) replaced by `***`: what messages and reports show. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    // libpq and ioredis also take the password as a query parameter.
    for (const k of [...u.searchParams.keys()]) if (/pass/i.test(k)) u.searchParams.set(k, '***');
    return u.toString();
  } catch {
    // Not parsable as a URL: show the scheme and host part only, never what could be a secret.
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}

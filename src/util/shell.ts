// Quoting a word for a POSIX shell, so a command soma suggests (`soma train -c 'my data/soma.yaml'`)
// can be pasted as printed.

/** `s` as one shell word: as is when it holds only safe characters, else in single quotes. */
export function shellQuote(s: string): string {
  if (s !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

// Where a worker_threads entry module lives. Compiled code runs from dist/ and finds its sibling
// .js file; under vitest the caller is a .ts file in src/, and Node cannot start a worker from
// TypeScript, so we point at the built twin in dist/ (`npm test` builds first).

export function workerUrl(callerUrl: string, relativeJs: string): URL {
  const url = new URL(relativeJs, callerUrl);
  if (callerUrl.endsWith('.ts')) {
    return new URL(url.href.replace('/src/', '/dist/'));
  }
  return url;
}

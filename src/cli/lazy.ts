// Tracks lazily loaded heavy modules so main can release them without importing them itself.

let duckdbLoaded = false;

export function markDuckDBLoaded(): void {
  duckdbLoaded = true;
}

export async function closeDuckDBIfLoaded(): Promise<void> {
  if (!duckdbLoaded) return;
  const mod = (await import('../data/duckdb.js')) as { closeDuckDB?: () => Promise<void> | void };
  await mod.closeDuckDB?.();
  duckdbLoaded = false;
}

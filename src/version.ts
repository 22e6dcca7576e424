// soma's own version, recorded in metadata (`framework`) and printed by `soma --version`.
export const VERSION = '0.1.0';

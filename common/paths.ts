/** Locations inside the installed package, independent of where the compiled file sits. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cachedRoot: string | null = null;

/** The directory holding neox's package.json (the repository root in a checkout). */
export function packageRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'proto'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the neox package root above ${__dirname}`);
    dir = parent;
  }
  cachedRoot = dir;
  return dir;
}

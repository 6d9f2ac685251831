import { readFileSync } from 'node:fs';

// The package's own package.json: one level above cli/ in a checkout (cli/version.ts), two above
// in a build (dist/cli/version.js). The name check keeps us from reading some other package's.
function ownPackage(): { version: string } {
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as {
        name?: string;
        version: string;
      };
      if (pkg.name === 'sluice') return pkg;
    } catch {
      // not at this level; try the next
    }
  }
  throw new Error(`sluice: no package.json of 'sluice' found above ${import.meta.url}`);
}

export const version: string = ownPackage().version;

// A project file's real path for a face that serves it (the review web's images):
// confined to the project folder as text and again after following links.
import fs from 'node:fs';
import path from 'node:path';
import { ValidationError } from '../errors.js';

export function confinedPath(projectDir: (projectId: string) => string) {
  return (projectId: string, relativePath: string): string => {
    const root = projectDir(projectId);
    const abs = path.resolve(root, relativePath);
    const inside = (p: string, dir: string) => p === dir || p.startsWith(dir + path.sep);
    if (!inside(abs, root))
      throw new ValidationError(`path '${relativePath}' leaves project ${projectId}'s folder`, [
        { path: 'path', message: 'must stay inside the project folder' },
      ]);
    // Links are followed before the check too: a link inside the folder must not lead out of it.
    let real: string;
    try {
      real = fs.realpathSync(abs);
    } catch {
      real = abs; // not there (yet): nothing to follow; the caller's read fails with its own error
    }
    const realRoot = fs.existsSync(root) ? fs.realpathSync(root) : root;
    if (!inside(real, realRoot))
      throw new ValidationError(`path '${relativePath}' leads out of project ${projectId}'s folder`, [
        { path: 'path', message: 'links must stay inside the project folder' },
      ]);
    return real;
  };
}

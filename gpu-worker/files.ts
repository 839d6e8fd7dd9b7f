// The local file store: every path a job names is resolved inside its
// project's folder (data/projects/<projectId>/), anything else is refused, and
// every write is atomic (temp name, then rename). An interface, so an object
// store can stand in when workers live on other hosts.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { JobInputError } from './errors.js';

export interface ProjectFiles {
  readonly projectId: string;
  /** Absolute path of a project-relative path; throws JobInputError if it leaves the project. */
  resolve(rel: string, field?: string): string;
  read(rel: string, field?: string): Promise<Buffer>;
  write(rel: string, data: Buffer | string): Promise<void>;
  exists(rel: string, field?: string): Promise<boolean>;
  isDir(rel: string, field?: string): Promise<boolean>;
  /** Files (not folders) directly in a folder, sorted by name. */
  list(rel: string, field?: string): Promise<string[]>;
}

const PROJECT_ID = /^[A-Za-z0-9_.-]{1,128}$/;

export function projectRoot(dataDir: string, projectId: string): string {
  if (!PROJECT_ID.test(projectId) || projectId === '.' || projectId === '..')
    throw new JobInputError('projectId', `"${projectId}" is not a project id`);
  return path.join(path.resolve(dataDir), 'projects', projectId);
}

export function localProjectFiles(dataDir: string, projectId: string): ProjectFiles {
  const root = projectRoot(dataDir, projectId);
  const resolve = (rel: string, field = 'path'): string => {
    if (typeof rel !== 'string' || rel.length === 0) throw new JobInputError(field, 'a project-relative path is required');
    if (rel.includes('\0')) throw new JobInputError(field, 'path contains a NUL byte');
    if (path.isAbsolute(rel) || /^[A-Za-z]:/.test(rel))
      throw new JobInputError(
        field,
        `"${rel}" is absolute; give a path inside the project folder, e.g. files/images/<assetId>/original/x.png`,
      );
    const abs = path.resolve(root, rel);
    if (abs !== root && !abs.startsWith(root + path.sep))
      throw new JobInputError(field, `"${rel}" points outside the project folder; paths must stay inside data/projects/${projectId}/`);
    return abs;
  };
  const notFound = (err: unknown, rel: string, field: string): never => {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new JobInputError(field, `"${rel}" does not exist in project ${projectId}`);
    throw err;
  };
  return {
    projectId,
    resolve,
    async read(rel, field = 'path') {
      return fs.readFile(resolve(rel, field)).catch((err) => notFound(err, rel, field));
    },
    async write(rel, data) {
      const abs = resolve(rel);
      await fs.mkdir(path.dirname(abs), { recursive: true });
      const tmp = `${abs}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await fs.writeFile(tmp, data);
        await fs.rename(tmp, abs);
      } catch (err) {
        await fs.rm(tmp, { force: true });
        throw err;
      }
    },
    async exists(rel, field = 'path') {
      return fs.access(resolve(rel, field)).then(
        () => true,
        () => false,
      );
    },
    async isDir(rel, field = 'path') {
      const st = await fs.stat(resolve(rel, field)).catch(() => null);
      return st?.isDirectory() ?? false;
    },
    async list(rel, field = 'path') {
      const entries = await fs.readdir(resolve(rel, field), { withFileTypes: true }).catch((err) => notFound(err, rel, field));
      return entries
        .filter((e) => e.isFile() && !e.name.endsWith('.tmp'))
        .map((e) => path.posix.join(rel, e.name))
        .sort();
    },
  };
}

/** A PNG path as given, or every PNG directly in it when it is a folder (sorted). */
export async function pngsAt(files: ProjectFiles, rel: string, field: string): Promise<string[]> {
  if (!(await files.isDir(rel, field))) return [rel];
  return (await files.list(rel, field)).filter((p) => /\.png$/i.test(p));
}

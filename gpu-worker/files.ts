// The local file store: every path a job names is resolved inside its
// project's folder (data/projects/<projectId>/), anything else is refused, and
// every write is atomic (temp name, then rename). An interface, so an object
// store can stand in when workers live on other hosts.
//
// Confinement is checked on real paths, not on text: a symbolic link anywhere
// under the project folder (a file, a folder, dangling or not) that leads
// outside it is refused for reads and writes; links that stay inside are
// followed. The project folder itself may be a link (the operator's choice of
// disk): paths are compared with its real path.
import { randomBytes } from 'node:crypto';
import { constants as fsc } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { JobInputError } from './errors.js';

export interface ProjectFiles {
  readonly projectId: string;
  /** Absolute path of a project-relative path, checked as text only; throws JobInputError if it leaves the project. */
  resolve(rel: string, field?: string): string;
  read(rel: string, field?: string): Promise<Buffer>;
  write(rel: string, data: Buffer | string, field?: string): Promise<void>;
  exists(rel: string, field?: string): Promise<boolean>;
  isDir(rel: string, field?: string): Promise<boolean>;
  /** Files (not folders) directly in a folder, sorted by name; links to files are listed (and checked when read). */
  list(rel: string, field?: string): Promise<string[]>;
}

/** Project ids as the engine makes them: no "." / "..", no leading dot, nothing that is a separator. */
const PROJECT_ID = /^(?!\.)[A-Za-z0-9_.-]{1,128}$/;
/** Open without following a link in the last component, where the platform has it. */
const NOFOLLOW = fsc.O_NOFOLLOW ?? 0;

export function projectRoot(dataDir: string, projectId: string): string {
  if (!PROJECT_ID.test(projectId)) throw new JobInputError('projectId', `"${projectId}" is not a project id`);
  return path.join(path.resolve(dataDir), 'projects', projectId);
}

const codeOf = (err: unknown) => (err as NodeJS.ErrnoException).code;
const missing = (err: unknown) => codeOf(err) === 'ENOENT' || codeOf(err) === 'ENOTDIR';
/** For `.catch`: null when the path is not there, the error otherwise. */
const nullIfMissing = (err: unknown): null => {
  if (missing(err)) return null;
  throw err;
};

export function localProjectFiles(dataDir: string, projectId: string): ProjectFiles {
  const root = projectRoot(dataDir, projectId);
  const home = `data/projects/${projectId}/`;
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
      throw new JobInputError(field, `"${rel}" points outside the project folder; paths must stay inside ${home}`);
    return abs;
  };
  const notFound = (err: unknown, rel: string, field: string): never => {
    if (missing(err)) throw new JobInputError(field, `"${rel}" does not exist in project ${projectId}`);
    throw err;
  };
  const within = (real: string, rootReal: string) =>
    real === rootReal || real.startsWith(rootReal.endsWith(path.sep) ? rootReal : rootReal + path.sep);
  /** The project folder's real path, or null while it does not exist. */
  const realRoot = () => fs.realpath(root).catch(nullIfMissing);

  /** Where a link points: its real path, or (dangling) its target as text. */
  const linkTarget = async (link: string) =>
    fs.realpath(link).catch(async (err) => {
      if (!missing(err)) throw err;
      return path.resolve(path.dirname(link), await fs.readlink(link));
    });
  /** The first link on the way to `rel` (as a project path) that leads out of the project, or null. */
  const linkOut = async (rel: string, field: string, rootReal: string): Promise<string | null> => {
    const parts = path.relative(root, resolve(rel, field)).split(path.sep);
    for (let i = 1; i <= parts.length; i++) {
      const at = path.join(root, ...parts.slice(0, i));
      const st = await fs.lstat(at).catch(() => null);
      if (!st) return null;
      if (st.isSymbolicLink() && !within(await linkTarget(at).catch(() => path.parse(root).root), rootReal))
        return parts.slice(0, i).join('/');
    }
    return null;
  };
  const escaped = (rel: string, field: string, culprit: string | null) =>
    new JobInputError(
      field,
      `"${rel}" goes through the symbolic link "${culprit ?? rel}", which leads outside the project folder; paths must stay inside ${home} — replace the link with the files themselves`,
    );
  const loop = (rel: string, field: string, err: unknown) =>
    new JobInputError(field, `"${rel}" goes through a loop of symbolic links; remove the link`, { cause: err });

  /** The real path of an existing file or folder inside the project, null when there is none; refuses a way out. */
  const realInside = async (rel: string, field: string): Promise<string | null> => {
    const abs = resolve(rel, field);
    const rootReal = await realRoot();
    if (rootReal === null) return null;
    let real: string;
    try {
      real = await fs.realpath(abs);
    } catch (err) {
      if (codeOf(err) === 'ELOOP') throw loop(rel, field, err);
      if (!missing(err)) throw err;
      // Missing (or a dangling link): nothing to read; but a way out of the project is refused all the same.
      const out = await linkOut(rel, field, rootReal);
      if (out !== null) throw escaped(rel, field, out);
      return null;
    }
    if (!within(real, rootReal)) throw escaped(rel, field, await linkOut(rel, field, rootReal));
    return real;
  };

  /**
   * The real folder a file is written into: each level from the project folder down is created when
   * missing and its real path checked before the next is made, so nothing is created, and no file
   * written, through a link that leaves the project.
   */
  const realParent = async (rel: string, abs: string, field: string): Promise<string> => {
    await fs.mkdir(root, { recursive: true });
    const rootReal = (await realRoot())!;
    let dir = rootReal;
    const parts = path.relative(root, path.dirname(abs)).split(path.sep).filter(Boolean);
    for (const [i, part] of parts.entries()) {
      const next = path.join(dir, part);
      await fs.mkdir(next).catch((err) => {
        if (codeOf(err) !== 'EEXIST') throw err;
      });
      let real: string;
      try {
        real = await fs.realpath(next);
      } catch (err) {
        if (codeOf(err) === 'ELOOP') throw loop(rel, field, err);
        if (!missing(err)) throw err;
        // A dangling link: mkdir saw it (EEXIST) but it leads nowhere.
        if (!within(await linkTarget(next), rootReal)) throw escaped(rel, field, await linkOut(rel, field, rootReal));
        throw new JobInputError(
          field,
          `"${parts.slice(0, i + 1).join('/')}" is a symbolic link to a missing folder, so "${rel}" cannot be written; remove the link or create its folder`,
        );
      }
      if (!within(real, rootReal)) throw escaped(rel, field, await linkOut(rel, field, rootReal));
      if (!(await fs.stat(real)).isDirectory())
        throw new JobInputError(
          field,
          `"${parts.slice(0, i + 1).join('/')}" is a file, so "${rel}" cannot be written; rename or remove it`,
        );
      dir = real;
    }
    return dir;
  };

  return {
    projectId,
    resolve,
    async read(rel, field = 'path') {
      const real = await realInside(rel, field);
      if (real === null) return notFound({ code: 'ENOENT' }, rel, field);
      return fs.readFile(real, { flag: fsc.O_RDONLY | NOFOLLOW }).catch((err) => notFound(err, rel, field));
    },
    async write(rel, data, field = 'path') {
      const abs = resolve(rel, field);
      if (abs === root) throw new JobInputError(field, 'a file path inside the project folder is required, not the folder itself');
      const target = path.join(await realParent(rel, abs, field), path.basename(abs));
      const st = await fs.lstat(target).catch(nullIfMissing);
      if (st?.isSymbolicLink())
        throw new JobInputError(
          field,
          `"${rel}" is a symbolic link; the worker does not write through links — remove it (paths must stay inside ${home})`,
        );
      const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        // 'wx': a fresh file, never an existing one (nor a link planted under the temp name).
        await fs.writeFile(tmp, data, { flag: 'wx' });
        await fs.rename(tmp, target);
      } catch (err) {
        await fs.rm(tmp, { force: true });
        throw err;
      }
    },
    async exists(rel, field = 'path') {
      return (await realInside(rel, field)) !== null;
    },
    async isDir(rel, field = 'path') {
      const real = await realInside(rel, field);
      return real !== null && (await fs.stat(real)).isDirectory();
    },
    async list(rel, field = 'path') {
      const real = await realInside(rel, field);
      if (real === null) return notFound({ code: 'ENOENT' }, rel, field);
      const entries = await fs.readdir(real, { withFileTypes: true }).catch((err) => notFound(err, rel, field));
      const isFile = async (e: (typeof entries)[number]) =>
        e.isFile() || (e.isSymbolicLink() && ((await fs.stat(path.join(real, e.name)).catch(() => null))?.isFile() ?? false));
      const names = [];
      for (const e of entries) if (!e.name.endsWith('.tmp') && (await isFile(e))) names.push(e.name);
      return names.map((n) => path.posix.join(rel, n)).sort();
    },
  };
}

/** A PNG path as given, or every PNG directly in it when it is a folder (sorted). */
export async function pngsAt(files: ProjectFiles, rel: string, field: string): Promise<string[]> {
  if (!(await files.isDir(rel, field))) return [rel];
  return (await files.list(rel, field)).filter((p) => /\.png$/i.test(p));
}

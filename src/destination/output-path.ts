import { closeSync, constants, fstatSync, lstatSync, openSync, realpathSync, statfsSync, type Stats } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { ConfigError } from '../core/errors.js';

/**
 * The destination's output files (dead letters, responses, ledger) hold customer data and decide
 * what a re-run sends, so each must be a regular file the user named: not a symbolic link (which
 * could point the appends at any file the process may write), not a FIFO or device (a FIFO
 * without a reader blocks the open forever), not a directory, not a file of /proc, /sys or /dev.
 */

/** Pseudo file systems by statfs type: procfs, sysfs, debugfs, securityfs, cgroup, cgroup2, devpts. */
const PSEUDO_FS_TYPES = new Set([0x9fa0, 0x62656572, 0x64626720, 0x73636673, 0x27e0eb, 0x63677270, 0x1cd1]);
const PSEUDO_ROOTS = ['/proc', '/sys', '/dev'];

/** Open flags: append-only, no symlink as the last component, and no blocking on a FIFO. */
const APPEND_FLAGS =
  constants.O_WRONLY |
  constants.O_APPEND |
  constants.O_CREAT |
  (constants.O_NOFOLLOW ?? 0) |
  (constants.O_NONBLOCK ?? 0);
const REPLACE_FLAGS =
  constants.O_WRONLY |
  constants.O_TRUNC |
  constants.O_CREAT |
  (constants.O_NOFOLLOW ?? 0) |
  (constants.O_NONBLOCK ?? 0);
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** Why `path` cannot be an output file, or undefined (it is a regular file, or does not exist yet in a normal directory). */
export function outputPathProblem(path: string): string | undefined {
  let stat: Stats | undefined;
  try {
    stat = lstatSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') return `cannot be checked (${code ?? String(err)})`;
  }
  if (stat?.isSymbolicLink())
    return 'is a symbolic link; name the real file instead (links are refused so that the output cannot be redirected to another file)';
  if (stat && !stat.isFile()) return `is ${kindOf(stat)}, not a regular file`;
  const folder = nearestExistingFolder(dirname(resolve(path)));
  if (PSEUDO_ROOTS.some((root) => folder === root || folder.startsWith(root + sep)))
    return `is under ${folder}, a system folder; use a file on ordinary storage`;
  try {
    if (PSEUDO_FS_TYPES.has(Number(statfsSync(folder).type)))
      return `is on a system file system (${folder}); use a file on ordinary storage`;
  } catch {
    // statfs is unavailable on some platforms; the path checks above still apply.
  }
  return undefined;
}

/** Throws a config error naming the field when its path cannot be an output file. */
export function checkOutputPath(field: string, path: string | undefined): void {
  if (path === undefined) return;
  const problem = outputPathProblem(path);
  if (problem) throw new ConfigError(`config.${field} '${path}' ${problem}.`);
}

/** Opens an output file for appending without following a symlink, and refuses anything but a regular file. */
export function openOutputForAppend(path: string, role: string): number {
  return openRegular(path, APPEND_FLAGS, role, 0o666);
}

/** Opens an output file to replace its content (the ledger's compaction temp file), same rules. */
export function openOutputForReplace(path: string, role: string): number {
  return openRegular(path, REPLACE_FLAGS, role, 0o666);
}

/** Opens an existing output file for reading (the ledger of an earlier run), same rules. */
export function openOutputForRead(path: string, role: string): number {
  return openRegular(path, READ_FLAGS, role);
}

function openRegular(path: string, flags: number, role: string, mode?: number): number {
  let fd: number;
  try {
    fd = openSync(path, flags, mode);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ELOOP' ? 'it is a symbolic link' : code === 'ENXIO' ? 'it is a FIFO or socket' : (code ?? String(err));
    throw new ConfigError(`Cannot open the ${role} file '${path}': ${why}. Name a regular file you can write.`);
  }
  const stat = fstatSync(fd);
  if (!stat.isFile()) {
    closeSync(fd);
    throw new ConfigError(`Cannot use the ${role} file '${path}': it is ${kindOf(stat)}, not a regular file.`);
  }
  return fd;
}

function nearestExistingFolder(folder: string): string {
  for (let current = folder; ; current = dirname(current)) {
    try {
      return realpathSync(current);
    } catch {
      if (dirname(current) === current) return current;
    }
  }
}

function kindOf(stat: Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

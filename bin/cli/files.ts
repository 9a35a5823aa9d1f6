import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { CliError } from './http.js';

export interface LocalFile {
  /** As given, or below the folder it was found in: what the table shows. */
  shown: string;
  path: string;
  name: string;
  size: number;
}

/**
 * The files named, and every file below the folders named (hidden files and folders skipped:
 * `.DS_Store` is no essay), each once, in a stable order.
 */
export async function collectFiles(args: string[]): Promise<LocalFile[]> {
  const found = new Map<string, LocalFile>();
  const visit = async (p: string, shown: string): Promise<void> => {
    let info;
    try {
      info = await stat(p);
    } catch {
      throw new CliError(`no such file or folder: ${p}`, 'NO_SUCH_FILE');
    }
    if (info.isDirectory()) {
      const entries = (await readdir(p)).filter((e) => !e.startsWith('.')).sort();
      for (const entry of entries) await visit(path.join(p, entry), path.join(shown, entry));
    } else if (info.isFile()) {
      const resolved = path.resolve(p);
      if (!found.has(resolved))
        found.set(resolved, { shown, path: resolved, name: path.basename(p), size: info.size });
    }
  };
  for (const arg of args) await visit(arg, arg.replace(/\/+$/, '') || arg);
  return [...found.values()];
}

/** Requests of at most `maxFiles` files and about `maxBytes` (a bigger file goes alone). */
export function chunk(files: LocalFile[], maxFiles: number, maxBytes: number): LocalFile[][] {
  const out: LocalFile[][] = [];
  let current: LocalFile[] = [];
  let size = 0;
  for (const f of files) {
    if (current.length && (current.length >= maxFiles || size + f.size > maxBytes)) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(f);
    size += f.size;
  }
  if (current.length) out.push(current);
  return out;
}

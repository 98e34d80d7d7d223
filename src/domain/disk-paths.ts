import { quoteForMessage } from './text-rules.ts';

/** An absolute path as the builder wants it: no "..", no "//", no trailing "/", printable ASCII without spaces. */
const PATH = /^\/(?:[A-Za-z0-9_.@+-]+\/)*[A-Za-z0-9_.@+-]*$/;
export const MODE = /^0?[0-7]{3}$/;

/** Why `path` is not a clean absolute path (the builder wants canonical paths), or undefined. */
export function pathProblem(path: string, label: string): string | undefined {
  const trailing = path.length > 1 && path.endsWith('/');
  if (!PATH.test(path) || trailing || path.split('/').some((p) => p === '..' || p === '.'))
    return `${label}: ${quoteForMessage(path, 80)} is not a clean absolute path (like /var/data)`;
  return undefined;
}

export const under = (path: string, root: string) => path === root || path.startsWith(`${root}/`);

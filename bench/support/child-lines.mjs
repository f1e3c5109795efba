// Reading what a benchmark's server process prints, line by line.
import { createInterface } from 'node:readline';

/** Makes a child's stdout readable with `lineMatching` (once per child). */
export function readLines(child) {
  child.lines = createInterface({ input: child.stdout });
  return child;
}

/** Resolves with the match of the first line the child prints that matches `pattern`. */
export function lineMatching(child, pattern) {
  return new Promise((resolve, reject) => {
    const onLine = (line) => {
      const match = pattern.exec(line);
      if (!match) return;
      child.lines.off('line', onLine);
      child.off('close', onClose);
      resolve(match);
    };
    const onClose = () => reject(new Error(`the server ended before printing ${pattern}`));
    child.lines.on('line', onLine);
    child.once('close', onClose);
  });
}

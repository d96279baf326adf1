/**
 * Where a worker thread's entry file is. A worker thread runs JavaScript only: from the build (`dist/`) the
 * worker sits next to the module that starts it; from the sources (vitest transforms `src/`, which a worker
 * thread does not get) it is the build's copy under `dist/`, the same path below it. Undefined when there is
 * none, so the caller can do the work on its own thread instead.
 */
import { existsSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** The built `<workerName>.js` beside the module at `callerUrl` (its `import.meta.url`), or undefined. */
export function builtWorkerFile(callerUrl: string, workerName: string): string | undefined {
  const here = fileURLToPath(callerUrl);
  const file = `${workerName}.js`;
  let candidate = join(dirname(here), file);
  if (here.endsWith(".ts")) {
    const src = here.lastIndexOf(`${sep}src${sep}`);
    if (src === -1) return undefined;
    const root = here.slice(0, src);
    candidate = join(root, "dist", relative(join(root, "src"), dirname(here)), file);
  }
  return existsSync(candidate) ? candidate : undefined;
}

import path from 'node:path';

const repoRoot = path.resolve(__dirname, '../..');

export interface NodeModuleCommand {
  /** The module to run: `<name>.ts` beside the sources, `<name>.js` beside the compiled build. */
  modulePath: string;
  /** Node options it needs: `--import tsx` when run from sources. */
  execArgv: string[];
  /** From sources, the repository root, so `--import tsx` resolves there. */
  cwd?: string;
}

/**
 * How to start one of our own modules as a Node process of its own (the gateway
 * simulator, the password-hashing child), the same whether this code runs from
 * TypeScript sources through tsx or from the compiled build, which has no tsx.
 * `callerFile` is the caller's `__filename`: it says which of the two this is.
 */
export function nodeModuleCommand(callerFile: string, directory: string, name: string): NodeModuleCommand {
  const compiled = path.extname(callerFile) === '.js';
  const modulePath = path.join(directory, `${name}${compiled ? '.js' : '.ts'}`);
  return compiled ? { modulePath, execArgv: [] } : { modulePath, execArgv: ['--import', 'tsx'], cwd: repoRoot };
}

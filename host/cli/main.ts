/**
 * @module
 * The `wasmgate` command line. Each command lives in commands/<name>.ts and registers itself
 * here; commands stay thin and call into the library.
 */
import { Command } from 'commander'
import { isWasmgateError } from '../errors.ts'
import { registerServe } from './commands/serve.ts'
import { registerPush } from './commands/push.ts'
import { registerPull } from './commands/pull.ts'
import { registerLogin } from './commands/login.ts'
import { registerInspect } from './commands/inspect.ts'
import { registerNew } from './commands/new.ts'
import { registerBuild } from './commands/build.ts'
import { registerLoad } from './commands/load.ts'
import { registerTest } from './commands/test.ts'

const program = new Command('wasmgate')
  .description('An HTTP proxy whose extensions are proxy-wasm filters')
  .version(process.env.WASMGATE_VERSION ?? '0.1.0')
  .showHelpAfterError()

registerServe(program)
registerPush(program)
registerPull(program)
registerLogin(program)
registerInspect(program)
registerNew(program)
registerBuild(program)
registerLoad(program)
registerTest(program)

program.parseAsync(process.argv).catch((err: unknown) => {
  if (isWasmgateError(err)) {
    process.stderr.write(`error ${err.code}: ${err.message}\nhint: ${err.hint}\n`)
  } else {
    process.stderr.write(`error: ${(err as Error)?.stack ?? String(err)}\n`)
  }
  process.exitCode = 1
})

/**
 * @module
 * Thrown by an import to end the guest's current call as a trap (env.abort, proc_exit). The
 * hostcall guard re-throws it (it is the guest's failure, not a host bug) and the VM records it
 * as the reason the instance failed.
 */
export class GuestTrap extends Error {
  /** Where the guest said it failed, when it said (AssemblyScript abort: file:line:column). */
  readonly location: string | undefined

  constructor(message: string, location?: string) {
    super(message)
    this.name = 'GuestTrap'
    this.location = location
  }
}

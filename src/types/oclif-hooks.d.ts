import type {FlowDescriptor} from '../flows/contract.js'
import type {CredentialProviderOptions, Storage} from '../storage/storage.js'

/**
 * entratool's own hook events, added to oclif's Hooks interface so `config.runHook` checks what
 * is passed and types what comes back (as oclif's own `init` or `prerun`).
 */
declare module '@oclif/core/hooks' {
  interface Hooks {
    /** The storage backend (storage/open-storage.ts); the core answers it, a plugin may too. */
    'entratool:credential-provider': {options: CredentialProviderOptions; return: Storage | undefined}
    /** Each flow plugin's descriptors (flows/registry.ts checks them: a plugin may return anything). */
    'entratool:flows': {options: {contractVersion: number}; return: FlowDescriptor[]}
  }
}

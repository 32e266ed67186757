/**
 * The storage seam. The credential-provider hook (src/hooks/credential-provider.ts) picks a
 * backend; everything else sees only these interfaces.
 */

export type BackendKind = 'file' | 'keychain' | 'plaintext'

/** Small secrets (client secrets, PFX passwords), addressed by `<profile>/<purpose>`. */
export interface SecretStore {
  get(key: string): Promise<string | undefined>
  set(key: string, value: string): Promise<void>
  delete(key: string): Promise<void>
}

/**
 * Larger per-profile blobs (the MSAL token cache, the last-token record). Always files, since a
 * token cache can outgrow a keychain entry (Windows caps one at ~2.5 KB); encrypted unless the
 * plaintext backend was chosen by name.
 */
export interface BlobStore {
  /** undefined when absent; throws UnreadableBlobError when present but unreadable. */
  read(name: string): Promise<Buffer | undefined>
  write(name: string, data: Buffer | string): Promise<void>
  delete(name: string): Promise<void>
  path(name: string): string
  /** The names of the blobs stored here. */
  names(): Promise<string[]>
}

export class UnreadableBlobError extends Error {
  constructor(readonly file: string, reason: string) {
    super(`${file} cannot be read: ${reason}`)
  }
}

/**
 * A stored secret that cannot be decrypted: still an UnreadableBlobError, and reported as a
 * storage error (exit 6) naming the profile and how to store it again (matched by shape, as
 * errors.ts isEntraToolError does).
 */
export class UndecryptableSecretError extends UnreadableBlobError {
  readonly exitCode = 6
  readonly kind = 'storage'
  override readonly name = 'EntraToolError'

  constructor(file: string, reason: string, readonly sentence: string, readonly next: string) {
    super(file, reason)
    this.message = sentence
  }
}

export interface Storage {
  kind: BackendKind
  secrets: SecretStore
  blobs: BlobStore
  /** Where secrets and tokens live, for `list-profiles` and `show-profile`. */
  description: {secrets: string; tokens: string}
  /** Said once, on stderr, when a weaker backend than the platform's best was used. */
  warnings: string[]
}

/** What the credential-provider hook receives. */
export interface CredentialProviderOptions {
  configDir: string
  env: NodeJS.ProcessEnv
}

export const CREDENTIAL_PROVIDER_HOOK = 'entratool:credential-provider'

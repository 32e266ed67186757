import {join} from 'node:path'

/*
 * Every name under which entratool keeps a profile's state, in one place. The token service, the
 * profile service, MSAL's cache plugin and the fast path must agree on each of them: two processes
 * that lock different paths for one profile would both refresh and overwrite each other's cache,
 * and a blob written under one name and cleared under another would outlive its profile.
 */

export type SecretPurpose = 'certificate-password' | 'client-secret'

/** The directory of the blobs (token records, MSAL caches) and of the per-profile token locks. */
export const cacheDir = (configDir: string) => join(configDir, 'cache')

/** The directory of the secrets when they are files (file and plaintext backends). */
export const secretsDir = (configDir: string) => join(configDir, 'secrets')

/** The blob of the profile's last access tokens (tokens/token-records.ts). */
export const tokenBlob = (profile: string) => `${profile}.tokens`

/** The blob of the profile's MSAL token cache (accounts, refresh tokens). */
export const msalBlob = (profile: string) => `${profile}.msal`

/** The cross-process lock around a profile's tokens: held to refresh, save, forget or clear them. */
export const tokenLock = (configDir: string, profile: string) => join(cacheDir(configDir), profile)

/** The lock of one profile name's create --force and delete (case-insensitive, as names clash). */
export const nameLock = (configDir: string, name: string) => join(configDir, 'locks', encodeURIComponent(name.toLowerCase()))

/** The key of a profile's stored secret in the secret store. */
export const secretKey = (profile: string, purpose: SecretPurpose) => `${profile}/${purpose}`

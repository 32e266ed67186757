/**
 * Loads the profile's client certificate (PEM with the key inside or in --private-key, or PFX)
 * and checks it before any network call: a broken file is a local problem with a local fix, and
 * Entra would only answer with a vague AADSTS error.
 */
import type {FlowContext} from 'entratool'
import {createPrivateKey, type KeyObject, X509Certificate} from 'node:crypto'

import {FileRefused, readCredentialFile} from './bounded-file.js'
import {Pkcs12Error, readPkcs12} from './pkcs12.js'

export interface LoadedCertificate {
  leaf: X509Certificate
  /** The leaf first, then the other certificates in the file (its chain). */
  chain: X509Certificate[]
  key: KeyObject
}

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g
const KEY_BLOCK = /-----BEGIN ((?:RSA |EC |ENCRYPTED )?PRIVATE KEY)-----[\s\S]+?-----END \1-----/g

export async function loadCertificate(ctx: FlowContext): Promise<LoadedCertificate> {
  const {options, profile} = ctx.settings
  const certPath = options.certificatePath as string
  const privateKeyPath = options.privateKeyPath as string | undefined
  const keyPath = privateKeyPath ?? certPath
  const fix = `point the profile at a valid certificate: \`entratool edit-profile --name ${profile} --certificate <path>\``
  const fail = (message: string, next = fix) => ctx.errors.create('config', message, {next})
  const passwordFix = `store the password with \`printf %s "$PASSWORD" | entratool edit-profile --name ${profile} --certificate-password-stdin\`, or set ENTRATOOL_CERTIFICATE_PASSWORD`

  const file = await readOrFail(ctx, certPath, 'certificate file')
  let certificates: X509Certificate[]
  let keys: KeyObject[]
  if (file.includes('-----BEGIN')) {
    certificates = (file.toString('utf8').match(CERTIFICATE_BLOCK) ?? []).map((block) => {
      try {
        return new X509Certificate(block)
      } catch (error) {
        throw fail(`${certPath} holds a malformed certificate (${(error as Error).message})`)
      }
    })
    const keyText = privateKeyPath ? (await readOrFail(ctx, privateKeyPath, 'private key file')).toString('utf8') : file.toString('utf8')
    keys = []
    for (const block of keyText.match(KEY_BLOCK) ?? []) {
      // The password is fetched only for an encrypted key: it may sit in a slow keychain.
      const password = block.includes('ENCRYPTED') ? await ctx.secrets.certificatePassword() : undefined
      try {
        keys.push(createPrivateKey({key: block, passphrase: password}))
      } catch (error) {
        const {code, message} = error as NodeJS.ErrnoException
        if (code === 'ERR_MISSING_PASSPHRASE' || (block.includes('ENCRYPTED') && !password)) throw fail(`the private key in ${keyPath} is encrypted and no password was given`, passwordFix)
        if (/bad decrypt/i.test(message)) throw fail(`the password of the private key in ${keyPath} is wrong`, passwordFix)
        throw fail(`the private key in ${keyPath} cannot be read (${message})`)
      }
    }
  } else {
    try {
      ({certificates, keys} = readPkcs12(file, await ctx.secrets.certificatePassword()))
    } catch (error) {
      if (!(error instanceof Pkcs12Error)) throw error
      if (error.problem === 'password') throw fail(`cannot open the PFX ${certPath}: ${error.message}`, passwordFix)
      if (error.problem === 'unsupported') {
        throw fail(`cannot open the PFX ${certPath}: ${error.message}`, 're-encrypt it with AES (`openssl pkcs12 -in old.pfx -legacy -nodes | openssl pkcs12 -export -out new.pfx`), or run with NODE_OPTIONS=--openssl-legacy-provider')
      }

      throw fail(`${certPath} is not a certificate: expected a PEM file with a certificate and its private key, or a PFX; ${error.message}`)
    }
  }

  if (certificates.length === 0) throw fail(`${certPath} holds no certificate: expected a PEM file with a certificate and its private key, or a PFX`)
  if (keys.length === 0) throw fail(`${keyPath} holds no private key`, `give the key file with \`entratool edit-profile --name ${profile} --private-key <path>\``)
  const pair = keys.flatMap((key) => certificates.filter((cert) => cert.checkPrivateKey(key)).map((leaf) => ({key, leaf})))[0]
  if (!pair) throw fail(privateKeyPath ? `the private key in ${keyPath} does not belong to the certificate in ${certPath}` : `the private key in ${certPath} does not belong to its certificate`)
  const type = pair.key.asymmetricKeyType
  if (type !== 'rsa' && type !== 'rsa-pss') throw fail(`the certificate in ${certPath} has a${type === 'ec' ? 'n EC' : ` ${type}`} key; Entra accepts only RSA keys for client assertions`)
  checkValidity(ctx, pair.leaf, certPath)
  return {chain: [pair.leaf, ...certificates.filter((cert) => cert !== pair.leaf)], key: pair.key, leaf: pair.leaf}
}

function checkValidity(ctx: FlowContext, leaf: X509Certificate, path: string): void {
  const now = ctx.clock.now()
  const notAfter = new Date(leaf.validTo)
  const notBefore = new Date(leaf.validFrom)
  const renew = `create a new certificate, add it to the app registration, and use it: \`entratool edit-profile --name ${ctx.settings.profile} --certificate <path>\``
  const when = (date: Date) => ctx.ui.localTime(date)
  if (now > notAfter.getTime()) throw ctx.errors.create('config', `the certificate in ${path} expired on ${when(notAfter)}`, {next: renew})
  if (now < notBefore.getTime()) throw ctx.errors.create('config', `the certificate in ${path} is not valid before ${when(notBefore)}`, {next: `check the system clock, or ${renew}`})
}

async function readOrFail(ctx: FlowContext, path: string, what: string): Promise<Buffer> {
  try {
    return await readCredentialFile(path)
  } catch (error) {
    if (!(error instanceof FileRefused)) throw error
    const {reason} = error
    const {profile} = ctx.settings
    throw ctx.errors.create('config', `the ${what} ${path} of profile '${profile}' ${reason}`, {next: `fix the path with \`entratool edit-profile --name ${profile} --${what.startsWith('private') ? 'private-key' : 'certificate'} <path>\``})
  }
}

// `npm run emulator [-- --port N]`: one JSON line on stdout for scripts, readable notes on stderr.
import {CLIENT_SECRET, CONFIDENTIAL_CLIENT_ID, DEFAULT_USER, PUBLIC_CLIENT_ID, startEmulator, type Emulator} from './index.js'
import {MANAGED_IDENTITY_HEADER, MANAGED_IDENTITY_PATHS, USER_ASSIGNED_IDENTITY} from './managed-identity.js'

function parsePort(argv: string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const value = arg === '--port' ? argv[i + 1] : arg.startsWith('--port=') ? arg.slice('--port='.length) : undefined
    if (value === undefined) continue
    const port = Number(value)
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      process.stderr.write(`emulator: --port must be an integer 0-65535, got '${value}'\n`)
      process.exit(2)
    }
    return port
  }
  return 0
}

// Signals are handled from the start: an unhandled SIGTERM kills the process without removing the
// CA's temp dir, and a parent that reads the JSON line below may signal at once.
let stopping = false
let emulator: Emulator | undefined = undefined
function shutdown(running: Emulator): void {
  process.stderr.write('Stopping the emulator...\n')
  running.stop().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`emulator: ${String(err)}\n`)
      process.exit(1)
    },
  )
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return
    stopping = true
    if (emulator) shutdown(emulator)
  })
}

emulator = await startEmulator({port: parsePort(process.argv.slice(2))})
if (stopping) shutdown(emulator)

process.stdout.write(
  JSON.stringify({
    url: emulator.url,
    host: emulator.host,
    caFile: emulator.caFile,
    tenantId: emulator.tenantId,
    publicClientId: PUBLIC_CLIENT_ID,
    confidentialClientId: CONFIDENTIAL_CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    controlUrl: `${emulator.url}/_emulator`,
    // App Service's managed identity variables, for the managed-identity flow.
    identityEndpoint: `${emulator.url}${MANAGED_IDENTITY_PATHS.appService}`,
    identityHeader: MANAGED_IDENTITY_HEADER,
    identityClientId: USER_ASSIGNED_IDENTITY.clientId,
    // Whoever started it through `npm run` signals this process, not npm, and `wait` then returns
    // only once it has stopped (npm exits at once on a signal, before its child has).
    pid: process.pid,
  }) + '\n',
)
process.stderr.write(
  [
    `Entra ID emulator listening on ${emulator.url}`,
    `  authority:  ${emulator.authority()}  (knownAuthorities: ${emulator.host})`,
    `  CA file:    ${emulator.caFile}  (NODE_EXTRA_CA_CERTS or ENTRATOOL_CA_FILE)`,
    `  sign in as: ${DEFAULT_USER.username} / ${DEFAULT_USER.password}`,
    `  device login page: ${emulator.url}/devicelogin`,
    'Press Ctrl+C to stop.',
    '',
  ].join('\n'),
)

// A program not written here: @azure/identity's credentials, as any Node service uses them.
// argv: <module path of @azure/identity> <dac|mi> <scope> [ms to keep asking until the token changes]
import {pathToFileURL} from 'node:url'

const {DefaultAzureCredential, ManagedIdentityCredential} = await import(pathToFileURL(process.argv[2]).href)

const [mode, scope, untilChange] = process.argv.slice(3)
const credential = mode === 'dac' ? new DefaultAzureCredential() : new ManagedIdentityCredential()

async function main() {
  const first = await credential.getToken(scope)
  const tokens = [first.token]
  let calls = 1
  const end = Date.now() + Number(untilChange ?? 0)
  while (Date.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, 250))
    const next = await credential.getToken(scope)
    calls++
    if (next.token !== tokens.at(-1)) {
      tokens.push(next.token)
      break
    }
  }

  console.log(JSON.stringify({calls, tokens}))
}

main().catch((error) => {
  console.log(JSON.stringify({error: error.name, message: error.message}))
  process.exitCode = 3
})

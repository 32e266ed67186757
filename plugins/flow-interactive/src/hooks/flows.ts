import type {FlowDescriptor} from 'entratool'

export default async function flows(): Promise<FlowDescriptor[]> {
  return [
    {
      aliases: ['InteractiveBrowser'],
      contractVersion: 1,
      id: 'interactive',
      kind: 'delegated',
      async load() {
        return (await import('../interactive-flow.js')).default
      },
      needs: ['tenant id', 'client id of a public client with the http://localhost redirect URI'],
      summary: 'Sign in with the system browser (authorization code + PKCE, loopback redirect)',
    },
  ]
}

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
      options: [
        {description: 'Loopback port for the interactive flow.', exclusive: ['portRange'], flag: 'port', name: 'port', type: 'port'},
        {description: 'Loopback port range for the interactive flow, e.g. 8000-8100.', flag: 'port-range', name: 'portRange', type: 'port-range'},
        {description: 'Interactive flow: no loopback listener; paste the address the browser ends on (SSH, tunnels).', flag: 'paste-redirect', name: 'pasteRedirect', type: 'boolean'},
      ],
      needs: ['tenant id', 'client id of a public client with the http://localhost redirect URI'],
      summary: 'Sign in with the system browser (authorization code + PKCE, loopback redirect)',
    },
  ]
}

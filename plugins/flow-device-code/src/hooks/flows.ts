import type {FlowDescriptor} from 'entratool'

export default async function flows(): Promise<FlowDescriptor[]> {
  return [
    {
      aliases: ['DeviceCode'],
      contractVersion: 1,
      id: 'device-code',
      kind: 'delegated',
      async load() {
        return (await import('../device-code-flow.js')).default
      },
      needs: ['tenant id', 'client id of a public client'],
      summary: 'Sign in on any device by entering a code (headless machines, SSH sessions)',
    },
  ]
}

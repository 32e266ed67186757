import type {FlowDescriptor} from 'entratool'

export default async function flows(): Promise<FlowDescriptor[]> {
  return [
    {
      aliases: ['ClientCredentials'],
      contractVersion: 1,
      id: 'client-credentials',
      kind: 'application',
      async load() {
        return (await import('../client-credentials-flow.js')).default
      },
      needs: ['tenant id', 'client id', 'client secret, certificate or federated token file', 'one <resource>/.default scope'],
      summary: 'Act as the application itself (services, CI pipelines)',
    },
  ]
}

import type {FlowDescriptor} from 'entratool'

/** The `entratool:flows` hook: describe the flows, import their code only in load(). */
export default async function flows(): Promise<FlowDescriptor[]> {
  return [
    {
      contractVersion: 1,
      id: 'client-secret-example',
      kind: 'application',
      async load() {
        return (await import('../client-secret-flow.js')).default
      },
      needs: ['tenant id', 'client id of a confidential app', 'a client secret (stored with --client-secret-stdin, or ENTRATOOL_CLIENT_SECRET)', 'one <resource>/.default scope'],
      summary: 'Example plugin: an application token with a client secret',
    },
  ]
}

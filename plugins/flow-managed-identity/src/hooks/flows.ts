import type {FlowDescriptor} from 'entratool'

export default async function flows(): Promise<FlowDescriptor[]> {
  return [
    {
      aliases: ['ManagedIdentity'],
      contractVersion: 1,
      id: 'managed-identity',
      kind: 'application',
      async load() {
        return (await import('../managed-identity-flow.js')).default
      },
      needs: [
        'an Azure host with a managed identity (App Service, Functions, Container Apps, Azure Arc, Cloud Shell, a VM)',
        'the user-assigned identity as the client id, or --managed-identity system | object-id:<guid> | <resource id>',
        'one <resource>/.default scope',
      ],
      summary: 'Act as the Azure resource the command runs on (no secret to keep)',
    },
  ]
}

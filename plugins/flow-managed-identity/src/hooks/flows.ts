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
      options: [
        {
          completions: ['system'],
          description: 'Managed identity flow: system, a user-assigned client id, object-id:<guid> or a resource id (default: the --client-id).',
          env: 'ENTRATOOL_MANAGED_IDENTITY',
          flag: 'managed-identity',
          helpValue: '<identity>',
          name: 'managedIdentity',
          type: 'string',
        },
      ],
      needs: [
        'an Azure host with a managed identity (App Service, Functions, Container Apps, Azure Arc, Cloud Shell, a VM)',
        'the user-assigned identity as the client id, or --managed-identity system | object-id:<guid> | <resource id>',
        'one <resource>/.default scope',
      ],
      summary: 'Act as the Azure resource the command runs on (no secret to keep)',
    },
  ]
}

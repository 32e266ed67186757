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
      options: [
        {description: 'Client certificate: a PEM holding certificate and key, or a PFX.', flag: 'certificate', name: 'certificatePath', type: 'path'},
        {description: 'PEM private key, when it is not in the --certificate file.', flag: 'private-key', name: 'privateKeyPath', type: 'path'},
        {description: 'Send the certificate chain (x5c) for subject name/issuer authentication.', flag: 'send-x5c', name: 'sendX5c', type: 'boolean'},
        {
          description: 'File holding a federated token (workload identity), re-read on every request.',
          // A pod's workload identity (AKS) names the file; it never replaces a certificate or secret the profile has.
          env: 'AZURE_FEDERATED_TOKEN_FILE',
          envUnlessProfileHas: ['certificatePath', 'secretRef'],
          flag: 'federated-token-file',
          name: 'federatedTokenFile',
          type: 'path',
        },
      ],
      needs: ['tenant id', 'client id', 'client secret, certificate or federated token file', 'one <resource>/.default scope'],
      summary: 'Act as the application itself (services, CI pipelines)',
    },
  ]
}

export {
  API_APP_ID_URI,
  AZURE_DEVOPS_RESOURCE,
  CLIENT_SECRET,
  CONFIDENTIAL_CLIENT_ID,
  DEFAULT_TENANT_DOMAIN,
  DEFAULT_TENANT_ID,
  DEFAULT_USER,
  FEDERATED_AUDIENCE,
  GRAPH_RESOURCE,
  PUBLIC_CLIENT_ID,
} from './constants.js'
export {startEmulator} from './server.js'
export type {
  AppRegistrationInput,
  DeviceCodeBehavior,
  DeviceCodeMode,
  Emulator,
  EmulatorControl,
  EmulatorOptions,
  EndpointName,
  FaultEndpoint,
  FaultKind,
  FaultSpec,
  FederatedCredential,
  MintFederatedTokenOptions,
  RequestLogEntry,
} from './types.js'

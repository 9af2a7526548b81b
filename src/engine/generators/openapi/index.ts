// The OpenAPI generator, by concern (docs/openapi.md): schema.ts + keywords.ts convert JSON schemas;
// parameters, access, responses, operation, paths and components describe one resource; shared.ts holds what
// every document has; contribution.ts is the shape of paths contexts and the platform add; document.ts assembles.
export { openApiDocument, type DocumentSources, type OpenApiInfo } from './document'
export { openApiSchema } from './schema'
export { describeAccess } from './access'
export { BODY_ERRORS } from './responses'
export type { OpenApiContribution, PlatformContributions } from './contribution'
export { errorRef, json, ref } from './names'

// Relations in a record's schema: present only when included, by `$include` or by the resource's default.
import type { ResourceDeclaration } from '../../declarations/declaration'
import type { JsonSchema } from '../../declarations/field-types'
import { resourceSchemas } from '../../runtime/schemas'
import { resourceTypeNames } from '../typegen'
import { ref } from './names'
import { NULL_ONLY, openApiSchema } from './schema'

/** The record of a relation declared with `fields`: those (and `id`) of the related resource's record. */
const projected = (related: ResourceDeclaration, fields: string[]): JsonSchema => {
  const record = openApiSchema(resourceSchemas(related).result)
  const kept = ['id', ...fields]
  return {
    ...record,
    required: ((record.required as string[]) ?? []).filter((name) => kept.includes(name)),
    properties: Object.fromEntries(
      Object.entries(record.properties as object).filter(([name]) => kept.includes(name))
    )
  }
}

/**
 * Relations, present only when included (`$include`, or `include: { default }`); those of resources nobody may
 * get are never filled.
 */
export const withIncluded = (
  schema: JsonSchema,
  resource: ResourceDeclaration,
  all: ResourceDeclaration[]
) => {
  const included: Record<string, JsonSchema> = {}
  for (const relation of Object.values(resource.relations ?? {})) {
    const related = all.find((other) => other.name === relation.resource)
    // A behaviour that returns the same name (orders' items today) describes it itself.
    const described = relation.name in (schema.properties as object)
    if (!related || !Object.keys(related.access.get).length || described) continue
    const record = relation.fields
      ? projected(related, relation.fields)
      : ref(resourceTypeNames(related).result)
    const what = `the ${relation.kind === 'hasMany' ? 'records' : 'record'} of /${related.path} you may get`
    const description = resource.includeByDefault?.includes(relation.name)
      ? `Unless \`$include\` names other relations (or none): ${what}`
      : `With \`$include=${relation.name}\`: ${what}`
    included[relation.name] =
      relation.kind === 'hasMany'
        ? { type: 'array', items: record, description }
        : { anyOf: [record, NULL_ONLY], description }
  }
  if (!Object.keys(included).length) return schema
  return { ...schema, properties: { ...(schema.properties as object), ...included } }
}

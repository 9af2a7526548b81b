import assert from 'node:assert/strict'
import { loadFiles } from '../../helpers/declarations'

const load = (files: Record<string, string>) => loadFiles(files)

const owners = `name: owners
fields:
  id: { type: id }
  label: { type: string }
access: { get: [public] }
`

describe('engine/load: relations and derived fields', () => {
  it('links belongsTo (as) and hasMany (reverse) relations, and default includes', () => {
    const { declarations, message } = load({
      'owners.yaml': owners + 'include: { default: [pets] }\n',
      'pets.yaml':
        'name: pets\nfields:\n  id: { type: id }\n  ownerId: { type: ref, to: owners, as: owner, reverse: pets }\n'
    })
    assert.equal(message, '')
    const [ownersDeclaration, pets] = declarations
    assert.deepEqual(
      { ...pets.relations.owner, declaredIn: undefined },
      { name: 'owner', kind: 'belongsTo', resource: 'owners', field: 'ownerId', declaredIn: undefined }
    )
    assert.equal(ownersDeclaration.relations.pets.kind, 'hasMany')
    assert.equal(ownersDeclaration.relations.pets.field, 'ownerId')
    assert.deepEqual(ownersDeclaration.includeByDefault, ['pets'])
  })

  it('names the file, line and path of every bad relation', () => {
    const { message } = load({
      'owners.yaml': owners + 'include: { default: [pets, toys] }\n',
      'pets.yaml': `name: pets
fields:
  id: { type: id }
  label: { type: string, as: tag }
  ownerId: { type: ref, to: owners, as: label, reverse: label }
  otherId: { type: ref, to: owners, reverse: pets }
  thirdId: { type: ref, to: owners, reverse: pets }
`
    })
    assert.match(
      message,
      /pets\.yaml:4 \/fields\/label\/as: 'as' does not apply to type string \(only to ref\)/
    )
    assert.match(
      message,
      /pets\.yaml:5 \/fields\/ownerId\/as: relation 'label' clashes with the field 'label' of pets/
    )
    assert.match(
      message,
      /pets\.yaml:5 \/fields\/ownerId\/reverse: relation 'label' clashes with the field 'label' of owners/
    )
    assert.match(
      message,
      /pets\.yaml:7 \/fields\/thirdId\/reverse: owners already has a relation named 'pets'/
    )
    assert.match(message, /owners\.yaml:6 \/include\/default\/1: 'toys' is not a relation of owners/)
  })

  it('keeps to the declared fields of a relation, which must be readable fields of the related resource', () => {
    const { declarations, message } = load({
      'owners.yaml': owners,
      'pets.yaml': `name: pets
fields:
  id: { type: id }
  secret: { type: string, hidden: true }
  ownerId: { type: ref, to: owners, as: { name: owner, fields: [label] } }
`
    })
    assert.equal(message, '')
    assert.deepEqual(declarations[1].relations.owner.fields, ['label'])
    const bad = load({
      'owners.yaml': owners,
      'pets.yaml': `name: pets
fields:
  id: { type: id }
  secret: { type: string, hidden: true }
  ownerId: { type: ref, to: pets, reverse: { name: children, fields: [secret, colour] } }
`
    })
    assert.match(
      bad.message,
      /pets\.yaml:5 \/fields\/ownerId\/reverse\/fields\/0: pets has no readable field 'secret'/
    )
    assert.match(
      bad.message,
      /pets\.yaml:5 \/fields\/ownerId\/reverse\/fields\/1: pets has no readable field 'colour'/
    )
  })

  it('lets a relation reuse a virtual (input-only) field name', () => {
    const { message } = load({
      'owners.yaml': owners.replace('  label:', '  pets: { type: json, virtual: true }\n  label:'),
      'pets.yaml':
        'name: pets\nfields:\n  id: { type: id }\n  ownerId: { type: ref, to: owners, reverse: pets }\n'
    })
    assert.equal(message, '')
  })

  it('checks derived fields: a ref of the resource, a readable field of its target of the same type, never granted', () => {
    const { message } = load({
      'owners.yaml': owners,
      'pets.yaml': `name: pets
fields:
  id: { type: id }
  ownerId: { type: ref, to: owners }
  ownerLabel: { type: string, derived: ownerId.label }
  wrongRef: { type: string, derived: label.id }
  missing: { type: string, derived: ownerId.colour }
  wrongType: { type: integer, derived: ownerId.label }
access:
  create: { public: { fields: [ownerId, ownerLabel] } }
`
    })
    assert.doesNotMatch(message, /ownerLabel\/derived/)
    assert.match(message, /pets\.yaml:6 \/fields\/wrongRef\/derived: 'label' is not a ref field of pets/)
    assert.match(message, /pets\.yaml:7 \/fields\/missing\/derived: owners has no readable field 'colour'/)
    assert.match(
      message,
      /pets\.yaml:8 \/fields\/wrongType\/derived: 'ownerId\.label' is of type string, wrongType of type integer/
    )
    assert.match(
      message,
      /pets\.yaml:10 \/access\/create\/public\/fields\/1: 'ownerLabel' is derived from ownerId\.label: the server sets it/
    )
  })

  it('refuses a derived value that is not ref.field', () => {
    const { message } = load({
      'owners.yaml': owners,
      'pets.yaml': 'name: pets\nfields:\n  id: { type: id }\n  x: { type: string, derived: nodot }\n'
    })
    assert.match(message, /pets\.yaml:4 \/fields\/x\/derived: must match pattern/)
  })
})

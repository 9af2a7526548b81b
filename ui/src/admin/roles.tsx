import { useState } from 'preact/hooks'
import { ErrorBanner, Notice } from '../lib/components'
import { formErrors, type FormErrors } from '../lib/errors'
import { validate } from '../lib/validate'
import { useAdmin } from './context'
import { fieldError } from './form'
import { enumValues, findResource, service, writable, type AnyRecord } from './model'

/**
 * On a user: the roles as a checkbox group (the values of `users.roles`), saved with `PATCH {roles}` — only for
 * roles whose grant lists `roles` among the fields they may write (admins).
 */
export const RolesPanel = ({ user, onChange }: { user: AnyRecord; onChange: (user: AnyRecord) => void }) => {
  const { auth, client, model, roles, user: me } = useAdmin()
  const users = findResource(model, 'users')
  const [chosen, setChosen] = useState<string[]>(Array.isArray(user.roles) ? user.roles : [])
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [done, setDone] = useState('')
  const [busy, setBusy] = useState(false)
  if (!users || !writable(users, 'patch', roles, user.id === me.id).includes('roles')) return null
  const options = enumValues(users, 'roles', users.fields.roles) ?? []
  const changed = JSON.stringify([...chosen].sort()) !== JSON.stringify([...(user.roles ?? [])].sort())

  const submit = async (event: Event) => {
    event.preventDefault()
    setDone('')
    const body = { roles: options.filter((option) => chosen.includes(option)) }
    const invalid = validate(users.schemas.patch, body)
    if (invalid) return setErrors(invalid)
    setBusy(true)
    setErrors(null)
    try {
      const saved = (await service(client, users.path).patch(user.id, body)) as AnyRecord
      onChange(saved)
      // Your own roles: the panel follows at once (navigation, what you may do).
      if (saved.id === me.id) auth.setUser(saved as typeof me)
      setChosen(saved.roles ?? [])
      setDone(`Roles saved: ${(saved.roles ?? []).join(', ') || 'none'}`)
    } catch (failure) {
      setErrors(formErrors(failure))
    } finally {
      setBusy(false)
    }
  }

  return (
    <form class="card roles-form" onSubmit={submit} noValidate>
      <fieldset class="choices" aria-describedby={fieldError(errors, 'roles') ? 'roles-error' : 'roles-hint'}>
        <legend>
          <h2>Roles</h2>
        </legend>
        <small class="hint" id="roles-hint">
          A change applies at once, on the user's next request and open connections.
        </small>
        {options.map((option) => (
          <label key={option} for={`role-${option}`}>
            <input
              id={`role-${option}`}
              type="checkbox"
              name="roles"
              value={option}
              checked={chosen.includes(option)}
              onChange={(event) =>
                setChosen((previous) =>
                  event.currentTarget.checked
                    ? [...previous.filter((role) => role !== option), option]
                    : previous.filter((role) => role !== option)
                )
              }
            />{' '}
            {option}
          </label>
        ))}
        {fieldError(errors, 'roles') && (
          <small class="error" id="roles-error" role="alert">
            {fieldError(errors, 'roles')}
          </small>
        )}
      </fieldset>
      {done && <Notice>{done}</Notice>}
      <ErrorBanner errors={errors} shown={['roles']} />
      <button type="submit" disabled={busy || !changed}>
        {busy ? 'Saving…' : 'Save roles'}
      </button>
    </form>
  )
}

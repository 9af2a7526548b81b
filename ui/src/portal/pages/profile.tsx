import { useEffect, useState } from 'preact/hooks'
import type { User } from '../../lib/client'
import { Field, Notice } from '../../lib/components'
import { formErrors, type FormErrors } from '../../lib/errors'
import { dateTime } from '../../lib/format'
import { href } from '../../lib/router'
import { validate } from '../../lib/validate'
import { auth, client, leave, resource, useLoad } from '../state'
import { described, FormError, LoadError, Loading } from '../ui'

/** A form's submit: validate with the users patch schema, PATCH /users/me, show the server's field errors. */
const useSave = (done: (user: User) => string) => {
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [saved, setSaved] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const save = async (body: Record<string, unknown>, extra: Record<string, string> = {}) => {
    if (busy) return
    setSaved(null)
    const schema = (await resource('users').catch(() => undefined))?.schemas.patch
    const invalid = schema && validate(schema, body)
    if (invalid || Object.keys(extra).length) {
      return setErrors({
        message: 'Please correct the marked fields',
        fields: { ...extra, ...(invalid?.fields ?? {}) }
      })
    }
    setBusy(true)
    setErrors(null)
    try {
      const user = (await client.service('users').patch('me', body)) as User
      auth.setUser(user)
      setSaved(done(user))
    } catch (error) {
      setErrors(formErrors(error))
    } finally {
      setBusy(false)
    }
  }
  return { errors, saved, busy, save }
}

const DetailsForm = ({ user }: { user: User }) => {
  const [form, setForm] = useState({ name: user.name, phone: user.phone ?? '', locale: user.locale })
  useEffect(() => setForm({ name: user.name, phone: user.phone ?? '', locale: user.locale }), [user])
  const { errors, saved, busy, save } = useSave(() => 'Your details were saved.')
  const set = (name: keyof typeof form) => (event: Event) =>
    setForm({ ...form, [name]: (event.currentTarget as HTMLInputElement).value })
  const error = (name: string) => errors?.fields[name]
  return (
    <form
      class="card"
      aria-labelledby="details-title"
      noValidate
      onSubmit={(event) => {
        event.preventDefault()
        void save({ name: form.name.trim(), phone: form.phone.trim() || null, locale: form.locale.trim() })
      }}
    >
      <h2 id="details-title">Your details</h2>
      <Field id="profile-name" label="Name" error={error('name')}>
        <input
          {...described('profile-name', error('name'))}
          autocomplete="name"
          maxLength={100}
          value={form.name}
          onInput={set('name')}
        />
      </Field>
      <Field
        id="profile-phone"
        label="Phone (optional)"
        error={error('phone')}
        hint="Digits, spaces and + ( ) -"
      >
        <input
          {...described('profile-phone', error('phone'), 'hint')}
          type="tel"
          autocomplete="tel"
          maxLength={32}
          value={form.phone}
          onInput={set('phone')}
        />
      </Field>
      <Field
        id="profile-locale"
        label="Language and region"
        error={error('locale')}
        hint="e.g. en, en-GB, ko-KR"
      >
        <input
          {...described('profile-locale', error('locale'), 'hint')}
          maxLength={16}
          autocomplete="language"
          value={form.locale}
          onInput={set('locale')}
        />
      </Field>
      <FormError errors={errors} shown={['name', 'phone', 'locale']} />
      {saved && <Notice>{saved}</Notice>}
      <button type="submit" disabled={busy}>
        {busy ? 'Saving…' : 'Save details'}
      </button>
    </form>
  )
}

const EmailForm = ({ user }: { user: User }) => {
  const [email, setEmail] = useState('')
  const [currentPassword, setCurrentPassword] = useState('')
  const { errors, saved, busy, save } = useSave((updated) => {
    setEmail('')
    setCurrentPassword('')
    return `Your email is now ${updated.email}.`
  })
  const error = (name: string) => errors?.fields[name]
  return (
    <form
      class="card"
      aria-labelledby="email-title"
      noValidate
      onSubmit={(event) => {
        event.preventDefault()
        void save(
          { email: email.trim(), currentPassword },
          {
            ...(!email.trim() && { email: 'is required' }),
            ...(!currentPassword && { currentPassword: 'is required to change your email' })
          }
        )
      }}
    >
      <h2 id="email-title">Email</h2>
      <p>
        Currently <strong>{user.email}</strong>
      </p>
      <Field id="email-new" label="New email" error={error('email')}>
        <input
          {...described('email-new', error('email'))}
          type="email"
          autocomplete="email"
          maxLength={254}
          value={email}
          onInput={(event) => setEmail(event.currentTarget.value)}
        />
      </Field>
      <Field id="email-current-password" label="Current password" error={error('currentPassword')}>
        <input
          {...described('email-current-password', error('currentPassword'))}
          type="password"
          autocomplete="current-password"
          value={currentPassword}
          onInput={(event) => setCurrentPassword(event.currentTarget.value)}
        />
      </Field>
      <FormError errors={errors} shown={['email', 'currentPassword']} />
      {saved && <Notice>{saved}</Notice>}
      <button type="submit" disabled={busy}>
        {busy ? 'Saving…' : 'Change email'}
      </button>
    </form>
  )
}

const PasswordForm = () => {
  const [form, setForm] = useState({ currentPassword: '', password: '', confirm: '' })
  const { errors, saved, busy, save } = useSave(() => {
    setForm({ currentPassword: '', password: '', confirm: '' })
    return 'Your password was changed. Your other sessions were logged out.'
  })
  const set = (name: keyof typeof form) => (event: Event) =>
    setForm({ ...form, [name]: (event.currentTarget as HTMLInputElement).value })
  const error = (name: string) => errors?.fields[name]
  return (
    <form
      class="card"
      aria-labelledby="password-title"
      noValidate
      onSubmit={(event) => {
        event.preventDefault()
        void save(
          { password: form.password, currentPassword: form.currentPassword },
          {
            ...(!form.currentPassword && { currentPassword: 'is required to change your password' }),
            ...(form.password !== form.confirm && { confirm: 'does not match the new password' })
          }
        )
      }}
    >
      <h2 id="password-title">Password</h2>
      <Field id="password-current" label="Current password" error={error('currentPassword')}>
        <input
          {...described('password-current', error('currentPassword'))}
          type="password"
          autocomplete="current-password"
          value={form.currentPassword}
          onInput={set('currentPassword')}
        />
      </Field>
      <Field id="password-new" label="New password" error={error('password')} hint="At least 8 characters">
        <input
          {...described('password-new', error('password'), 'hint')}
          type="password"
          autocomplete="new-password"
          maxLength={128}
          value={form.password}
          onInput={set('password')}
        />
      </Field>
      <Field id="password-confirm" label="New password again" error={error('confirm')}>
        <input
          {...described('password-confirm', error('confirm'))}
          type="password"
          autocomplete="new-password"
          maxLength={128}
          value={form.confirm}
          onInput={set('confirm')}
        />
      </Field>
      <FormError errors={errors} shown={['currentPassword', 'password', 'confirm']} />
      {saved && <Notice>{saved}</Notice>}
      <button type="submit" disabled={busy}>
        {busy ? 'Saving…' : 'Change password'}
      </button>
    </form>
  )
}

export const ProfilePage = () => {
  const me = useLoad(() => client.service('users').get('me'), [])
  const [leaving, setLeaving] = useState(false)
  if (me.error) return <LoadError error={me.error} retry={me.reload} />
  if (!me.data) return <Loading what="Loading your profile…" />
  const user = auth.user?.id === me.data.id ? auth.user : me.data
  return (
    <section aria-labelledby="profile-title" class="profile">
      <h1 id="profile-title">Your profile</h1>
      <div class="card">
        <p>
          Signed in as <strong>{user.name}</strong> ({user.email}) since {dateTime(user.createdAt)}.
        </p>
        <div class="row">
          <a class="button secondary" href={href('sessions')}>
            Your sessions
          </a>
          <button
            type="button"
            class="secondary"
            disabled={leaving}
            onClick={() => {
              setLeaving(true)
              leave().then(
                () => (location.hash = '#/'),
                () => setLeaving(false)
              )
            }}
          >
            Log out
          </button>
        </div>
      </div>
      <div class="forms">
        <DetailsForm user={user} />
        <EmailForm user={user} />
        <PasswordForm />
      </div>
    </section>
  )
}

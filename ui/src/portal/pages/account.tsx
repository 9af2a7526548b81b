import { useState } from 'preact/hooks'
import { Field, Notice } from '../../lib/components'
import { formErrors, type FormErrors } from '../../lib/errors'
import { href } from '../../lib/router'
import { validate } from '../../lib/validate'
import { auth, client, hashQuery, resource, takeEndedReason } from '../state'
import { described, FormError } from '../ui'

/** Where to go after logging in: `#/login?next=/checkout`, only to a route of this page. */
const afterLogin = () => {
  const next = hashQuery().get('next') ?? ''
  location.hash = /^\/[A-Za-z0-9/_-]*$/.test(next) ? `#${next}` : '#/'
}

export const LoginForm = ({ onDone, title = 'Log in' }: { onDone?: () => void; title?: string }) => {
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  const [ended] = useState(takeEndedReason)

  const submit = async (event: Event) => {
    event.preventDefault()
    if (busy) return
    if (!email.trim() || !password)
      return setErrors({
        message: 'Please enter your email and password',
        fields: {
          ...(!email.trim() && { email: 'is required' }),
          ...(!password && { password: 'is required' })
        }
      })
    setBusy(true)
    setErrors(null)
    try {
      await auth.login(email.trim(), password)
      onDone?.()
    } catch (error) {
      setErrors(formErrors(error))
      setBusy(false)
    }
  }

  return (
    <section class="narrow" aria-labelledby="login-title">
      <h1 id="login-title">{title}</h1>
      {ended && <Notice>You were logged out: {ended}. Please log in again.</Notice>}
      <form class="card" onSubmit={submit} noValidate>
        <Field id="login-email" label="Email" error={errors?.fields.email}>
          <input
            {...described('login-email', errors?.fields.email)}
            type="email"
            autocomplete="username"
            value={email}
            onInput={(event) => setEmail(event.currentTarget.value)}
          />
        </Field>
        <Field id="login-password" label="Password" error={errors?.fields.password}>
          <input
            {...described('login-password', errors?.fields.password)}
            type="password"
            autocomplete="current-password"
            value={password}
            onInput={(event) => setPassword(event.currentTarget.value)}
          />
        </Field>
        <FormError errors={errors} shown={['email', 'password']} />
        <button type="submit" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
      <p>
        New here?{' '}
        <a href={`#/register${location.hash.includes('?') ? '?' + location.hash.split('?')[1] : ''}`}>
          Create an account
        </a>
      </p>
    </section>
  )
}

export const LoginPage = () => <LoginForm onDone={afterLogin} />

export const RegisterPage = () => {
  const [form, setForm] = useState({ email: '', name: '', password: '' })
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)

  const submit = async (event: Event) => {
    event.preventDefault()
    if (busy) return
    const body = { email: form.email.trim(), name: form.name.trim(), password: form.password }
    const schema = (await resource('users').catch(() => undefined))?.schemas.data
    const invalid = schema && validate(schema, body)
    if (invalid) return setErrors(invalid)
    setBusy(true)
    setErrors(null)
    try {
      await client.service('users').create(body)
    } catch (error) {
      setBusy(false)
      return setErrors(formErrors(error))
    }
    try {
      await auth.login(body.email, body.password)
      afterLogin()
    } catch (error) {
      setBusy(false)
      setErrors(formErrors(error))
    }
  }

  const set = (name: keyof typeof form) => (event: Event) =>
    setForm({ ...form, [name]: (event.currentTarget as HTMLInputElement).value })

  return (
    <section class="narrow" aria-labelledby="register-title">
      <h1 id="register-title">Create an account</h1>
      <form class="card" onSubmit={submit} noValidate>
        <Field id="register-email" label="Email" error={errors?.fields.email}>
          <input
            {...described('register-email', errors?.fields.email)}
            type="email"
            autocomplete="email"
            maxLength={254}
            value={form.email}
            onInput={set('email')}
          />
        </Field>
        <Field id="register-name" label="Name" error={errors?.fields.name}>
          <input
            {...described('register-name', errors?.fields.name)}
            autocomplete="name"
            maxLength={100}
            value={form.name}
            onInput={set('name')}
          />
        </Field>
        <Field
          id="register-password"
          label="Password"
          error={errors?.fields.password}
          hint="At least 8 characters, not your email address"
        >
          <input
            {...described('register-password', errors?.fields.password, 'hint')}
            type="password"
            autocomplete="new-password"
            maxLength={128}
            value={form.password}
            onInput={set('password')}
          />
        </Field>
        <FormError errors={errors} shown={['email', 'name', 'password']} />
        <button type="submit" disabled={busy}>
          {busy ? 'Creating your account…' : 'Create account'}
        </button>
      </form>
      <p>
        Already have an account? <a href={href('login')}>Log in</a>
      </p>
    </section>
  )
}

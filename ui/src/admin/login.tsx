import { useState } from 'preact/hooks'
import type { Auth } from '../lib/auth'
import { ErrorBanner, Field } from '../lib/components'
import type { User } from '../lib/client'
import { formErrors, type FormErrors } from '../lib/errors'

/** Staff sign in with email and password; the session is restored on reload and refreshed in the background. */
export const Login = ({ auth, staff }: { auth: Auth; staff: string[] }) => {
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  const submit = async (event: Event) => {
    event.preventDefault()
    const fields: Record<string, string> = {}
    if (!email.trim()) fields.email = 'is required'
    if (!password) fields.password = 'is required'
    if (Object.keys(fields).length)
      return setErrors({ message: 'Please enter your email and password', fields })
    setBusy(true)
    setErrors(null)
    try {
      await auth.login(email.trim(), password)
    } catch (failure) {
      setErrors(formErrors(failure))
      setBusy(false)
    }
  }
  return (
    <main class="login">
      <form class="card" onSubmit={submit} noValidate aria-labelledby="login-title">
        <h1 id="login-title">Admin sign in</h1>
        <p class="muted">For staff: {staff.join(', ')}.</p>
        <ErrorBanner errors={errors} shown={['email', 'password']} />
        <Field id="login-email" label="Email" error={errors?.fields.email}>
          <input
            id="login-email"
            type="email"
            autocomplete="username"
            value={email}
            aria-invalid={errors?.fields.email ? 'true' : undefined}
            onInput={(event) => setEmail(event.currentTarget.value)}
          />
        </Field>
        <Field id="login-password" label="Password" error={errors?.fields.password}>
          <input
            id="login-password"
            type="password"
            autocomplete="current-password"
            value={password}
            aria-invalid={errors?.fields.password ? 'true' : undefined}
            onInput={(event) => setPassword(event.currentTarget.value)}
          />
        </Field>
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  )
}

/** Anyone signed in without a staff role: a clear message, no data, and a way out. */
export const NoAccess = ({ auth, user, staff }: { auth: Auth; user: User; staff: string[] }) => (
  <main class="no-access">
    <section class="card" role="alert" aria-labelledby="no-access-title">
      <h1 id="no-access-title">No access</h1>
      <p>
        You are signed in as <strong>{user.email}</strong>, whose roles (
        {(user.roles ?? []).join(', ') || 'none'}) do not include a staff role. The admin panel is for{' '}
        {staff.join(', ')} staff.
      </p>
      <div class="row">
        <a class="button secondary" href="/">
          Go to the shop
        </a>
        <button type="button" onClick={() => void auth.logout()}>
          Sign out
        </button>
      </div>
    </section>
  </main>
)

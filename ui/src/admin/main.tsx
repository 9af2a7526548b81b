import { render } from 'preact'
import { useEffect, useMemo, useState } from 'preact/hooks'
import { Auth } from '../lib/auth'
import { createClient, type User } from '../lib/client'
import { ErrorBanner } from '../lib/components'
import { loadDeclarations, type ClientModel } from '../lib/declarations'
import { formErrors, type FormErrors } from '../lib/errors'
import { href, navigate, useRoute } from '../lib/router'
import '../lib/base.css'
import './admin.css'
import { ApiKeyCreate } from './api-keys'
import { AdminContext, type Admin } from './context'
import { CreateView, DetailView, EditView, NotAllowed } from './detail'
import { ListView } from './list'
import { Login, NoAccess } from './login'
import { allowed, findResource, humanize, isStaff, staffRoles } from './model'

const { client, socket } = createClient()
const auth = new Auth(client, socket)

// The server disconnects a socket whose access token expired (socket.io does not reconnect then): reconnect and
// authenticate it again with the refresh token. Lists fetch again on `connect`.
socket.on('disconnect', (reason) => {
  if (reason !== 'io server disconnect') return
  socket.connect()
  void auth.refresh()
})

/** The resources these roles may list, in declaration order: the navigation. */
const navigable = (model: ClientModel, roles: string[]) =>
  model.resources.filter((resource) => allowed(resource, 'find', roles))

const Header = ({ admin, current }: { admin: Admin; current?: string }) => (
  <header class="top admin-top">
    <a class="brand" href={href()}>
      Admin
    </a>
    <nav aria-label="Resources">
      {navigable(admin.model, admin.roles).map((resource) => (
        <a
          key={resource.name}
          href={href('r', resource.name)}
          aria-current={resource.name === current ? 'page' : undefined}
        >
          {humanize(resource.name)}
        </a>
      ))}
    </nav>
    <div class="who">
      <span class="muted">
        {admin.user.email} ({admin.roles.join(', ')})
      </span>
      <button type="button" class="secondary" onClick={() => void auth.logout()}>
        Sign out
      </button>
    </div>
  </header>
)

const Home = ({ admin }: { admin: Admin }) => (
  <section aria-labelledby="home-title">
    <h1 id="home-title">Admin panel</h1>
    <p class="muted">Every resource your roles may list, as declared by the server.</p>
    <ul class="grid plain">
      {navigable(admin.model, admin.roles).map((resource) => (
        <li key={resource.name} class="card">
          <h2>
            <a href={href('r', resource.name)}>{humanize(resource.name)}</a>
            {resource.realtime && <span class="live small">live</span>}
          </h2>
          {resource.description && <p class="muted">{resource.description}</p>}
        </li>
      ))}
    </ul>
  </section>
)

/** `#/r/:resource`, `#/r/:resource/new`, `#/r/:resource/:id`, `#/r/:resource/:id/edit`. */
const Routes = ({ admin, route }: { admin: Admin; route: string[] }) => {
  const [section, name, id, action] = route
  if (!section) return <Home admin={admin} />
  const resource = section === 'r' && name ? findResource(admin.model, name) : undefined
  if (!resource)
    return (
      <section class="card" role="alert">
        <h1>Not found</h1>
        <p>
          There is no such page. <a href={href()}>Back to the start</a>
        </p>
      </section>
    )
  if (!id) {
    if (!allowed(resource, 'find', admin.roles))
      return <NotAllowed>Your roles may not list {resource.name}.</NotAllowed>
    return <ListView key={resource.name} resource={resource} />
  }
  if (id === 'new')
    return resource.name === 'api-keys' && allowed(resource, 'create', admin.roles) ? (
      <ApiKeyCreate resource={resource} />
    ) : (
      <CreateView key={resource.name} resource={resource} />
    )
  if (action === 'edit') return <EditView key={`${resource.name}-${id}`} resource={resource} id={id} />
  return <DetailView key={`${resource.name}-${id}`} resource={resource} id={id} />
}

const App = () => {
  const [model, setModel] = useState<ClientModel>()
  const [user, setUser] = useState<User | null>(auth.user)
  const [ready, setReady] = useState(false)
  const [error, setError] = useState<FormErrors | null>(null)
  const route = useRoute()

  useEffect(() => {
    const unsubscribe = auth.subscribe(setUser)
    loadDeclarations().then(setModel, (failure) => setError(formErrors(failure)))
    auth
      .restore()
      .catch(() => null)
      .finally(() => setReady(true))
    return unsubscribe
  }, [])

  useEffect(() => {
    if (user && route[0] === 'login') navigate()
  }, [user, route[0]])

  const admin = useMemo<Admin | null>(
    () =>
      model && user ? { client, socket, auth, model, user, roles: (user.roles ?? []) as string[] } : null,
    [model, user]
  )

  if (error)
    return (
      <main>
        <ErrorBanner errors={error} />
      </main>
    )
  if (!ready || !model)
    return (
      <main>
        <p role="status">Loading…</p>
      </main>
    )
  const staff = [...staffRoles(model)]
  if (!user || !admin) return <Login auth={auth} staff={staff} />
  // Without a staff role nothing is fetched: the server would refuse (403) or return only the user's own rows.
  if (!isStaff(model, admin.roles)) return <NoAccess auth={auth} user={user} staff={staff} />
  return (
    <AdminContext.Provider value={admin}>
      <a
        class="skip"
        href="#main"
        onClick={(event) => {
          // The hash is the route: move the focus instead of following the link.
          event.preventDefault()
          document.getElementById('main')?.focus()
        }}
      >
        Skip to content
      </a>
      <Header admin={admin} current={route[0] === 'r' ? route[1] : undefined} />
      <main id="main" tabIndex={-1}>
        <Routes admin={admin} route={route} />
      </main>
    </AdminContext.Provider>
  )
}

render(<App />, document.getElementById('app')!)

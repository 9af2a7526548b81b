import type { ComponentChildren } from 'preact'
import { ErrorBanner } from '../lib/components'
import { formErrors, type FormErrors } from '../lib/errors'

/** Attributes that tie an input to its label's error and hint (see Field in lib/components). */
export const described = (id: string, error?: string, hint?: string) => ({
  id,
  name: id,
  'aria-invalid': error ? ('true' as const) : undefined,
  'aria-describedby': [error && `${id}-error`, hint && `${id}-hint`].filter(Boolean).join(' ') || undefined
})

export const Loading = ({ what = 'Loading…' }: { what?: string }) => (
  <p class="loading" role="status" aria-live="polite">
    {what}
  </p>
)

/** A failed load as a banner with a retry button; the page around it keeps working. */
export const LoadError = ({ error, retry }: { error: unknown; retry?: () => void }) => (
  <div>
    <ErrorBanner errors={formErrors(error)} />
    {retry && (
      <button type="button" class="secondary" onClick={retry}>
        Try again
      </button>
    )}
  </div>
)

export const Empty = ({ children }: { children: ComponentChildren }) => (
  <div class="empty card">{children}</div>
)

/** Previous / next page of a paginated find. */
export const Pager = ({
  skip,
  limit,
  total,
  go,
  label = 'Pages'
}: {
  skip: number
  limit: number
  total: number
  go: (skip: number) => void
  label?: string
}) => {
  if (total <= limit) return null
  const page = Math.floor(skip / limit) + 1
  const pages = Math.max(1, Math.ceil(total / limit))
  return (
    <nav class="pager" aria-label={label}>
      <button
        type="button"
        class="secondary"
        disabled={skip <= 0}
        onClick={() => go(Math.max(0, skip - limit))}
      >
        Previous
      </button>
      <span>
        Page {page} of {pages}
      </span>
      <button
        type="button"
        class="secondary"
        disabled={skip + limit >= total}
        onClick={() => go(skip + limit)}
      >
        Next
      </button>
    </nav>
  )
}

/** A count as a small badge next to a link: the cart's items, the unread notifications. */
export const Count = ({
  count,
  unit = 'items',
  testId
}: {
  count: number
  unit?: string
  testId?: string
}) =>
  count > 0 ? (
    <span class="count" data-testid={testId}>
      {count}
      <span class="visually-hidden"> {unit}</span>
    </span>
  ) : null

/**
 * The form-level error: ErrorBanner, left out when it would only repeat the one message a field already shows
 * (e.g. a 409 on the email field).
 */
export const FormError = ({ errors, shown }: { errors: FormErrors | null; shown: string[] }) => {
  if (!errors) return null
  const fields = Object.entries(errors.fields)
  const repeats =
    fields.length > 0 &&
    fields.every(([field]) => shown.includes(field)) &&
    fields.some(([, message]) => errors.message === message)
  return repeats ? null : <ErrorBanner errors={errors} shown={shown} />
}

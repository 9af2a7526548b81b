import type { ComponentChildren } from 'preact'
import type { FormErrors } from './errors'

// Everything renders through JSX text nodes and attributes: no innerHTML anywhere, so data such as a product
// named `<img src=x onerror=alert(1)>` shows as that text.

/** A labelled input with its error; `id` ties the label, the input and the error together for screen readers. */
export const Field = ({
  id,
  label,
  error,
  hint,
  children
}: {
  id: string
  label: string
  error?: string
  hint?: string
  children: ComponentChildren
}) => (
  <div class={error ? 'field invalid' : 'field'}>
    <label for={id}>{label}</label>
    {children}
    <FieldNotes id={id} hint={hint} error={error} />
  </div>
)

/** A field's hint and error, with the ids its input's `aria-describedby` names (`<id>-hint`, `<id>-error`). */
export const FieldNotes = ({ id, hint, error }: { id: string; hint?: string; error?: string }) => (
  <>
    {hint && (
      <small class="hint" id={`${id}-hint`}>
        {hint}
      </small>
    )}
    {error && (
      <small class="error" id={`${id}-error`} role="alert">
        {error}
      </small>
    )}
  </>
)

/** The form-level message of an error (and field errors that no input shows). */
export const ErrorBanner = ({ errors, shown = [] }: { errors: FormErrors | null; shown?: string[] }) => {
  if (!errors?.message) return null
  const others = Object.entries(errors.fields).filter(([field]) => !shown.includes(field))
  return (
    <div class="banner error" role="alert">
      <p>{errors.message}</p>
      {others.length > 0 && (
        <ul>
          {others.map(([field, message]) => (
            <li key={field}>
              {field}: {message}
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}

export const Notice = ({ children }: { children: ComponentChildren }) => (
  <div class="banner notice" role="status">
    {children}
  </div>
)

/** A status as a coloured badge; the class is the status, the text is readable. */
export const StatusBadge = ({ status }: { status: string }) => (
  <span class={`badge status-${status}`} data-status={status}>
    {status.replace(/_/g, ' ')}
  </span>
)

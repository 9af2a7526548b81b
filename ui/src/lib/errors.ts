/** An error as a form shows it: one message, and messages per field (dotted paths, e.g. `items.0.quantity`). */
export interface FormErrors {
  message: string
  fields: Record<string, string>
}

/**
 * Reads a Feathers error from the server: `errors[]` for validation (400), `data.field` for a unique field or a
 * missing reference (409, 400). Anything else is its message.
 */
export const formErrors = (error: any): FormErrors => {
  const fields: Record<string, string> = {}
  for (const entry of Array.isArray(error?.errors) ? error.errors : []) {
    if (entry?.field && !fields[entry.field]) fields[entry.field] = entry.message
  }
  if (typeof error?.data?.field === 'string' && !fields[error.data.field])
    fields[error.data.field] = error.message
  return { message: String(error?.message ?? error ?? 'Something went wrong'), fields }
}

export const noErrors: FormErrors = { message: '', fields: {} }

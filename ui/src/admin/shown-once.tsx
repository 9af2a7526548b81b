import { useRef, useState } from 'preact/hooks'
import { Field } from '../lib/components'
import type { ClientResource } from '../lib/declarations'
import { href } from '../lib/router'
import { humanize, type AnyRecord } from './model'

/**
 * What a create answer carries beside the declared fields (a webhook subscription's signing `secret`): the
 * server returns it this once and never again, so it is shown to copy before the admin moves on.
 */
export const shownOnce = (resource: ClientResource, saved: AnyRecord): [string, string][] =>
  Object.entries(saved).filter(
    (entry): entry is [string, string] =>
      !Object.hasOwn(resource.fields, entry[0]) && typeof entry[1] === 'string'
  )

export const ShownOnce = ({
  resource,
  saved,
  values
}: {
  resource: ClientResource
  saved: AnyRecord
  values: [string, string][]
}) => {
  const input = useRef<HTMLInputElement>(null)
  const [copied, setCopied] = useState('')
  const copy = async (value: string) => {
    try {
      await navigator.clipboard.writeText(value)
      setCopied('Copied to the clipboard.')
    } catch {
      setCopied('Selected: press Ctrl+C (⌘C) to copy.')
    }
  }
  return (
    <section aria-labelledby="once-title" class="api-key-created">
      <h1 id="once-title">
        {humanize(resource.name)} #{String(saved.id)} created
      </h1>
      <div class="banner warning" role="alert">
        <strong>Copy this now.</strong> It is shown only this once: the server cannot show it again.
      </div>
      <div class="card">
        {values.map(([name, value]) => (
          <Field key={name} id={`once-${name}`} label={humanize(name)}>
            <input
              id={`once-${name}`}
              ref={input}
              class="secret"
              type="text"
              readOnly
              value={value}
              onFocus={(event) => event.currentTarget.select()}
              spellcheck={false}
              autocomplete="off"
            />
          </Field>
        ))}
        <div class="row">
          <button type="button" onClick={() => (input.current?.select(), copy(values[0][1]))}>
            Copy
          </button>
          <a class="button secondary" href={href('r', resource.name, saved.id)}>
            Done: open #{String(saved.id)}
          </a>
        </div>
        {copied && <p role="status">{copied}</p>}
      </div>
    </section>
  )
}

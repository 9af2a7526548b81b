// A one-time message carried to the next screen ("Saved", "Deleted"), read once by that screen.
let pending = ''

export const setFlash = (message: string) => void (pending = message)

export const takeFlash = () => {
  const message = pending
  pending = ''
  return message
}

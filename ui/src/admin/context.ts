import { createContext } from 'preact'
import { useContext } from 'preact/hooks'
import type { Socket } from 'socket.io-client'
import type { Auth } from '../lib/auth'
import type { ClientApplication, User } from '../lib/client'
import type { ClientModel } from '../lib/declarations'

/** What every screen of the panel uses: the connection, the signed-in staff user and the declarations. */
export interface Admin {
  client: ClientApplication
  socket: Socket
  auth: Auth
  model: ClientModel
  user: User
  roles: string[]
}

export const AdminContext = createContext<Admin | null>(null)

export const useAdmin = () => {
  const admin = useContext(AdminContext)
  if (!admin) throw new Error('useAdmin outside the signed-in panel')
  return admin
}

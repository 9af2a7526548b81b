import { render } from 'preact'
import '../lib/base.css'
import './portal.css'
import { App } from './app'
import { addFavicon } from './favicon'

addFavicon()
render(<App />, document.getElementById('app')!)

import { render } from 'preact'
import '../lib/base.css'

const App = () => (
  <main>
    <h1>Shop</h1>
  </main>
)

render(<App />, document.getElementById('app')!)

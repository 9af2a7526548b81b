import { resolve } from 'node:path'
import { defineConfig } from 'vite'

// The user portal (/) and the admin panel (/admin/) are two pages of one build, written to public/ and served by
// the API itself (serveStatic in src/app.ts). Preact's JSX through esbuild: no framework plugin needed.
export default defineConfig({
  root: __dirname,
  base: '/',
  publicDir: false,
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: resolve(__dirname, '../public'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // Vite would inline small assets as data: URLs; the CSP allows them for images only, so keep files.
    assetsInlineLimit: 0,
    rollupOptions: {
      input: { portal: resolve(__dirname, 'index.html'), admin: resolve(__dirname, 'admin/index.html') }
    }
  }
})

// The page has no icon file: without a <link rel="icon"> the browser asks for /favicon.ico, a 404 that it logs
// as a console error. A small SVG as a data: URL (the CSP allows data: images) gives the tab an icon instead.
const ICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">' +
  '<rect x="5" y="10" width="22" height="19" rx="3" fill="#1f5fbf"/>' +
  '<path d="M11 13V9a5 5 0 0 1 10 0v4" fill="none" stroke="#1f5fbf" stroke-width="2.5"/></svg>'

export const addFavicon = () => {
  if (document.querySelector('link[rel~="icon"]')) return
  const link = document.createElement('link')
  link.rel = 'icon'
  link.type = 'image/svg+xml'
  link.href = `data:image/svg+xml,${encodeURIComponent(ICON)}`
  document.head.append(link)
}

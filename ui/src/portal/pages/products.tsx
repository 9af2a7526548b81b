import { useEffect, useState } from 'preact/hooks'
import { Field, Notice } from '../../lib/components'
import type { Category, Product } from '../../lib/client'
import { money } from '../../lib/format'
import { href } from '../../lib/router'
import { addToCart } from '../cart'
import { client, hashQuery, navigateWithQuery, useLoad, useReconnect, useServiceEvent } from '../state'
import { Empty, LoadError, Loading, Pager, described } from '../ui'

const PAGE_SIZE = 12

let categoriesLoad: Promise<Category[]> | undefined

/** Every category, fetched page by page once per page load (they change rarely). */
export const loadCategories = () =>
  (categoriesLoad ??= (async () => {
    const all: Category[] = []
    for (;;) {
      const page = await client
        .service('categories')
        .find({ query: { $sort: { name: 1 }, $limit: 200, $skip: all.length } })
      all.push(...page.data)
      if (!page.data.length || all.length >= page.total) return all
    }
  })().catch((error) => {
    categoriesLoad = undefined
    throw error
  }))

/** Categories in tree order with their depth: parents first, children indented below them. */
const tree = (categories: Category[]) => {
  const children = new Map<number | null, Category[]>()
  const ids = new Set(categories.map((category) => category.id))
  for (const category of categories) {
    const parent = category.parentId !== null && ids.has(category.parentId) ? category.parentId : null
    children.set(parent, [...(children.get(parent) ?? []), category])
  }
  const out: { category: Category; depth: number }[] = []
  const seen = new Set<number>()
  const walk = (parent: number | null, depth: number) => {
    for (const category of children.get(parent) ?? []) {
      if (seen.has(category.id)) continue
      seen.add(category.id)
      out.push({ category, depth })
      walk(category.id, depth + 1)
    }
  }
  walk(null, 0)
  return out
}

/** A category and everything below it (a search in "Fruit" finds apples too). */
const subtree = (categories: Category[], id: number) => {
  const found = new Set([id])
  for (let grew = true; grew;) {
    grew = false
    for (const category of categories)
      if (category.parentId !== null && found.has(category.parentId) && !found.has(category.id)) {
        found.add(category.id)
        grew = true
      }
  }
  return [...found].slice(0, 100)
}

/** `%` and `_` are wildcards of `$ilike`: a search for "50%" means the text. */
const likeEscape = (text: string) => text.replace(/[\\%_]/g, (character) => `\\${character}`)

const SORTS: Record<string, { label: string; sort: Record<string, 1 | -1> }> = {
  name: { label: 'Name', sort: { name: 1 } },
  'price-asc': { label: 'Price: low to high', sort: { priceCents: 1 } },
  'price-desc': { label: 'Price: high to low', sort: { priceCents: -1 } },
  newest: { label: 'Newest', sort: { createdAt: -1 } }
}

export const stockLabel = (product: Product) =>
  product.stock > 0 ? (product.stock > 10 ? 'In stock' : `Only ${product.stock} left`) : 'Out of stock'

export const ProductsPage = () => {
  const params = hashQuery()
  const q = params.get('q')?.trim() ?? ''
  const category = Number(params.get('category')) || null
  const sort = SORTS[params.get('sort') ?? ''] ? params.get('sort')! : 'name'
  const skip = Math.max(0, Number(params.get('skip')) || 0)
  const [search, setSearch] = useState(q)
  const [added, setAdded] = useState<string | null>(null)
  // The search box follows the route (back button, Clear).
  useEffect(() => setSearch(q), [q])

  const categories = useLoad(loadCategories, [])
  const products = useLoad(async () => {
    const all = category ? await loadCategories().catch(() => []) : []
    return client.service('products').find({
      query: {
        status: 'active',
        ...(q && { name: { $ilike: `%${likeEscape(q)}%` } }),
        ...(category && { categoryId: { $in: subtree(all, category) } }),
        $sort: SORTS[sort].sort,
        $limit: PAGE_SIZE,
        $skip: skip
      }
    })
  }, [q, category, sort, skip])

  // Prices and stock change while the list is open; a product that leaves `active` sends no event to
  // customers, so re-fetch on reconnect.
  useServiceEvent<Product>('products', ['patched', 'updated'], (product) =>
    products.setData(
      (page) =>
        page && {
          ...page,
          data: page.data.map((shown) => (shown.id === product.id ? { ...shown, ...product } : shown))
        }
    )
  )
  useReconnect(products.reload)

  const go = (changes: Record<string, string | number | null>) =>
    navigateWithQuery('/', { q, category, sort: sort === 'name' ? null : sort, skip: 0, ...changes })

  const title = category ? categories.data?.find((candidate) => candidate.id === category)?.name : undefined

  return (
    <section aria-labelledby="products-title">
      <h1 id="products-title">{title ? `Products in ${title}` : 'Products'}</h1>
      <form
        class="card filters"
        role="search"
        onSubmit={(event) => {
          event.preventDefault()
          go({ q: search.trim() })
        }}
      >
        <Field id="search" label="Search by name">
          <input
            {...described('search')}
            type="search"
            value={search}
            maxLength={200}
            placeholder="e.g. apple"
            onInput={(event) => setSearch(event.currentTarget.value)}
          />
        </Field>
        <Field id="category" label="Category">
          <select
            {...described('category')}
            value={category ?? ''}
            onChange={(event) => go({ q: search.trim(), category: event.currentTarget.value || null })}
          >
            <option value="">All categories</option>
            {tree(categories.data ?? []).map(({ category, depth }) => (
              <option key={category.id} value={category.id}>
                {'\u00a0\u00a0'.repeat(depth) + category.name}
              </option>
            ))}
          </select>
        </Field>
        <Field id="sort" label="Sort by">
          <select
            {...described('sort')}
            value={sort}
            onChange={(event) => go({ q: search.trim(), sort: event.currentTarget.value })}
          >
            {Object.entries(SORTS).map(([value, { label }]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </Field>
        <div class="filters-actions">
          <button type="submit">Search</button>
          {(q || category) && (
            <button
              type="button"
              class="secondary"
              onClick={() => {
                setSearch('')
                navigateWithQuery('/', {})
              }}
            >
              Clear
            </button>
          )}
        </div>
      </form>
      {added && <Notice>{added}</Notice>}
      {products.error ? (
        <LoadError error={products.error} retry={products.reload} />
      ) : !products.data ? (
        <Loading what="Loading products…" />
      ) : products.data.data.length === 0 ? (
        <Empty>
          <p>{q || category ? 'No products match your search.' : 'There are no products yet.'}</p>
        </Empty>
      ) : (
        <>
          <p class="hint" role="status" aria-live="polite">
            {products.data.total === 1 ? '1 product' : `${products.data.total} products`}
            {q && ` matching “${q}”`}
          </p>
          <ul class="product-grid">
            {products.data.data.map((product) => (
              <li key={product.id} class="card product-card" data-product-id={product.id}>
                <h2>
                  <a href={href('products', product.id)}>{product.name}</a>
                </h2>
                <p class="price">{money(product.priceCents, product.currency)}</p>
                <p class={product.stock > 0 ? 'stock' : 'stock out'}>{stockLabel(product)}</p>
                <button
                  type="button"
                  disabled={product.stock <= 0}
                  aria-label={`Add ${product.name} to cart`}
                  onClick={() => {
                    addToCart(product, 1)
                    setAdded(`Added “${product.name}” to your cart.`)
                  }}
                >
                  Add to cart
                </button>
              </li>
            ))}
          </ul>
          <Pager
            skip={skip}
            limit={PAGE_SIZE}
            total={products.data.total}
            go={(next) => go({ q, skip: next })}
            label="Product pages"
          />
        </>
      )}
    </section>
  )
}

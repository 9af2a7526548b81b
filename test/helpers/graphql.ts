import { testServer } from './server'

export interface GraphqlResponse {
  status: number
  data: any
  errors?: { message: string; path?: string[]; extensions: Record<string, any> }[]
  headers: Headers
}

/** A GraphQL-over-HTTP request (POST, JSON) against the started server, as any client sends it. */
export const graphql = async (
  query: string,
  {
    variables,
    token,
    apiKey,
    headers = {},
    method = 'POST',
    url: base
  }: {
    variables?: Record<string, unknown>
    token?: string
    apiKey?: string
    headers?: Record<string, string>
    method?: 'POST' | 'GET'
    /** Another started server than the shared one. */
    url?: string
  } = {}
): Promise<GraphqlResponse> => {
  const url = base ?? (await testServer()).url
  const auth = {
    ...(token && { authorization: `Bearer ${token}` }),
    ...(apiKey && { 'x-api-key': apiKey }),
    accept: 'application/graphql-response+json, application/json',
    ...headers
  }
  const response =
    method === 'GET'
      ? await fetch(
          `${url}/graphql?${new URLSearchParams({ query, ...(variables && { variables: JSON.stringify(variables) }) })}`,
          {
            headers: auth
          }
        )
      : await fetch(`${url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...auth },
          body: JSON.stringify({ query, variables })
        })
  const text = await response.text()
  const body = text ? JSON.parse(text) : {}
  return { status: response.status, data: body.data, errors: body.errors, headers: response.headers }
}

/** The first error's code, for terse assertions. */
export const codeOf = (response: GraphqlResponse) => response.errors?.[0]?.extensions?.code

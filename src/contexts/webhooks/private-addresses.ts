import { isIPv4, isIPv6 } from 'node:net'

// Where a webhook must never go unless WEBHOOK_ALLOW_PRIVATE_TARGETS=true: this host, its private networks, link-local
// and cloud metadata endpoints (169.254.169.254, fd00:ec2::254, 100.100.100.200), and addresses that are no
// destination at all. A target is checked when it is written (a literal address) and again for every address
// its name resolves to, at each delivery (src/contexts/webhooks/send-webhook.ts).

/** IPv4 blocks as [first octets, prefix length]. */
const PRIVATE_V4: [number[], number][] = [
  [[0], 8], // "this network", 0.0.0.0
  [[10], 8],
  [[100, 64], 10], // carrier-grade NAT, also Alibaba's metadata 100.100.100.200
  [[127], 8], // loopback
  [[169, 254], 16], // link-local, the cloud metadata address 169.254.169.254
  [[172, 16], 12],
  [[192, 0, 0], 24], // IETF protocol assignments
  [[192, 0, 2], 24], // documentation
  [[192, 88, 99], 24], // 6to4 relay anycast
  [[192, 168], 16],
  [[198, 18], 15], // benchmarking
  [[198, 51, 100], 24],
  [[203, 0, 113], 24],
  [[224], 4], // multicast
  [[240], 4] // reserved, and the broadcast address
]

/** IPv6 blocks as [first 16-bit groups, prefix length]. */
const PRIVATE_V6: [number[], number][] = [
  [[0x0100, 0, 0, 0], 64], // discard
  [[0x2001, 0x0db8], 32], // documentation
  [[0xfc00], 7], // unique local (fd00::/8 included, so AWS's fd00:ec2::254)
  [[0xfe80], 10], // link-local
  [[0xfec0], 10], // old site-local
  [[0xff00], 8] // multicast
]

const within = (parts: number[], [block, prefix]: [number[], number], bits: number) => {
  let left = prefix
  for (let i = 0; left > 0; i++, left -= bits) {
    const mask = left >= bits ? (1 << bits) - 1 : ((1 << bits) - 1) ^ ((1 << (bits - left)) - 1)
    if ((parts[i] & mask) !== ((block[i] ?? 0) & mask)) return false
  }
  return true
}

const v4Parts = (address: string) => address.split('.').map(Number)

/** The eight 16-bit groups of an IPv6 address (`::` expanded, a dotted IPv4 tail converted). */
const v6Groups = (address: string): number[] => {
  let text = address.toLowerCase().split('%')[0]
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (dotted) {
    const [a, b, c, d] = v4Parts(dotted[1])
    text = text.slice(0, -dotted[1].length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined]
  const parse = (part: string | undefined) =>
    part ? part.split(':').map((group) => parseInt(group, 16)) : []
  const first = parse(head)
  const last = parse(tail)
  return [...first, ...Array(8 - first.length - last.length).fill(0), ...last]
}

const privateV4 = (parts: number[]) => PRIVATE_V4.some((block) => within(parts, block, 8))

/** The IPv4 address an IPv6 one carries (mapped, compatible, NAT64, 6to4), judged as that IPv4 address. */
const embeddedV4 = (groups: number[]): number[] | undefined => {
  const octets = (high: number, low: number) => [high >> 8, high & 255, low >> 8, low & 255]
  const zeros = (count: number) => groups.slice(0, count).every((group) => group === 0)
  if (zeros(5) && groups[5] === 0xffff) return octets(groups[6], groups[7]) // ::ffff:a.b.c.d
  if (zeros(6)) return octets(groups[6], groups[7]) // ::a.b.c.d, :: and ::1 included
  if (groups[0] === 0x64 && groups[1] === 0xff9b) return octets(groups[6], groups[7]) // NAT64
  if (groups[0] === 0x2002) return octets(groups[1], groups[2]) // 6to4
  return undefined
}

/** Whether an IP address (v4 or v6, brackets allowed) is one a webhook may not reach. Not an IP: false. */
export const isPrivateAddress = (address: string): boolean => {
  const bare = address.replace(/^\[|\]$/g, '')
  if (isIPv4(bare)) return privateV4(v4Parts(bare))
  if (!isIPv6(bare)) return false
  const groups = v6Groups(bare)
  const v4 = embeddedV4(groups)
  if (v4) return privateV4(v4)
  return PRIVATE_V6.some((block) => within(groups, block, 16))
}

/** Whether a host is a literal IP address (as a URL's hostname writes it, IPv6 in brackets). */
export const isIpLiteral = (host: string) => {
  const bare = host.replace(/^\[|\]$/g, '')
  return isIPv4(bare) || isIPv6(bare)
}

/** Names that always mean this machine (RFC 6761), whatever DNS says. */
export const isLocalName = (host: string) => {
  const name = host.toLowerCase().replace(/\.$/, '')
  return name === 'localhost' || name.endsWith('.localhost')
}

import assert from 'node:assert/strict'
import { asUser, isolatedApp, type IsolatedApp } from '../../helpers/isolated-app'

// test/fixtures/features: posts belong to members (`author`) and list their comments (`comments`); a comment
// belongs to its post (`post`) and is owned by the post's author (`postAuthorId: derived: postId.authorId`).
describe('engine: relations, includes, derived owners and unreadable references', () => {
  let isolated: IsolatedApp
  let posts: any
  let comments: any
  let alice: { id: number; roles: string[] }
  let bob: { id: number; roles: string[] }
  const admin = { id: 999, roles: ['admin'] }
  const as = asUser

  before(async () => {
    isolated = await isolatedApp('test/fixtures/features')
    posts = isolated.app.service('posts')
    comments = isolated.app.service('comments')
    const members = isolated.app.service('members')
    alice = { ...(await members.create({ handle: 'rel-alice' })), roles: [] }
    bob = { ...(await members.create({ handle: 'rel-bob' })), roles: [] }
  })
  after(() => isolated.close())

  it('includes a hasMany relation filtered by the reader’s own access, hidden fields masked', async () => {
    const post = await posts.create({ title: 'With comments' }, as(alice))
    const shown = await comments.create({ postId: post.id, body: 'first', moderatorNote: 'fine' }, as(alice))
    await comments.create({ postId: post.id, body: 'hidden', visible: false }, as(admin))
    const mine = await posts.get(post.id, as(alice, { $include: 'comments' }))
    assert.deepEqual(
      mine.comments.map((comment: any) => comment.body),
      ['first'],
      'a comment alice may not get (visible: false) is left out'
    )
    assert.equal(mine.comments[0].id, shown.id)
    assert.equal('moderatorNote' in mine.comments[0], false, 'hidden fields of included records are masked')
    const staff = await posts.get(post.id, as(admin, { $include: ['comments'] }))
    assert.deepEqual(
      staff.comments.map((comment: any) => comment.body),
      ['first', 'hidden']
    )
    const plain = await posts.get(post.id, as(alice))
    assert.equal('comments' in plain, false, 'nothing is included unless asked for (no default declared)')
  })

  it('includes a belongsTo relation, null when the reader may not get the record', async () => {
    const post = await posts.create({ title: 'Authored' }, as(alice))
    const own = await posts.get(post.id, as(alice, { $include: 'author' }))
    assert.equal(own.author.id, alice.id)
    assert.equal(own.author.handle, 'rel-alice')
    // members: get [owner] only; an admin may read the post but not its author
    const staff = await posts.get(post.id, as(admin, { $include: 'author' }))
    assert.equal(staff.author, null)
    const comment = await comments.create({ postId: post.id, body: 'x' }, as(alice))
    const withPost = await comments.get(comment.id, as(alice, { $include: 'post', $select: ['body'] }))
    assert.equal(withPost.post.title, 'Authored')
    assert.equal('postId' in withPost, false, 'a ref added for the include is not returned when not selected')
  })

  it('includes the declared default relations unless the caller names others (or none)', async () => {
    const post = await posts.create({ title: 'Default include' }, as(alice))
    const comment = await comments.create({ postId: post.id, body: 'x' }, as(alice))
    assert.equal((await comments.get(comment.id, as(alice))).post.id, post.id, 'include: { default: [post] }')
    assert.equal((await comments.get(comment.id)).post.id, post.id, 'internal calls too')
    const page = await comments.find(as(alice, { postId: post.id }))
    assert.equal(page.data[0].post.title, 'Default include')
    assert.equal('post' in (await comments.get(comment.id, as(alice, { $include: '' }))), false)
    assert.equal('post' in (await comments.get(comment.id, as(alice, { $include: [] }))), false)
  })

  it('loads each relation once per page, not once per record', async () => {
    for (const title of ['a', 'b', 'c']) {
      const post = await posts.create({ title: `batch ${title}` }, as(alice))
      await comments.create({ postId: post.id, body: title }, as(alice))
    }
    const queries: string[] = []
    const count = (query: { sql: string }) => queries.push(query.sql)
    isolated.app.get('knex').on('query', count)
    try {
      const page = await posts.find(as(alice, { $include: ['comments', 'author'] }))
      assert.ok(page.data.length >= 3)
      for (const post of page.data.filter((p: any) => p.title.startsWith('batch ')))
        assert.deepEqual(
          post.comments.map((c: any) => c.body),
          [post.title.slice(6)]
        )
    } finally {
      isolated.app.get('knex').off('query', count)
    }
    assert.equal(queries.filter((sql) => /from "comments"/.test(sql)).length, 1)
    assert.equal(queries.filter((sql) => /from "members"/.test(sql)).length, 1)
  })

  it('answers an unknown relation with a 400 naming it, and $include on a write with a 400', async () => {
    await assert.rejects(posts.find(as(alice, { $include: ['comments', 'likes'] })), {
      code: 400,
      message: "Invalid query: $include names no relation of posts: 'likes' (known: author, comments)",
      errors: [
        { field: '$include', message: "names no relation of posts: 'likes' (known: author, comments)" }
      ]
    })
    await assert.rejects(posts.create({ title: 'x' }, as(alice, { $include: 'comments' })), {
      code: 400,
      message: 'Invalid query: $include applies to find and get only'
    })
  })

  it('derives the owner from the referenced record: the post author, whoever writes', async () => {
    const post = await posts.create({ title: 'Owned through a reference' }, as(alice))
    const byAdmin = await comments.create({ postId: post.id, body: 'from staff' }, as(admin))
    assert.equal(byAdmin.postAuthorId, alice.id, 'not the admin who wrote it')
    const internal = await comments.create({ postId: post.id, body: 'internal', postAuthorId: bob.id })
    assert.equal(
      internal.postAuthorId,
      alice.id,
      'the engine’s value wins over what an internal caller passes'
    )
    assert.equal((await comments.get(byAdmin.id, as(alice))).id, byAdmin.id, 'the owner sees it')
    await assert.rejects(comments.get(byAdmin.id, as(bob)), { code: 404 })
    await assert.rejects(comments.create({ postId: post.id, body: 'x', postAuthorId: bob.id }, as(alice)), {
      code: 400,
      message: "Field 'postAuthorId' is read-only for you"
    })
  })

  it('answers a reference to a record the caller may not get exactly like one to a missing record', async () => {
    const post = await posts.create({ title: 'Alice only' }, as(alice))
    const answer = async (postId: number) => {
      try {
        await comments.create({ postId, body: 'probe' }, as(bob))
        return 'created'
      } catch (error: any) {
        return JSON.stringify(error.toJSON())
      }
    }
    const hidden = await answer(post.id)
    const missing = await answer(post.id + 100000)
    assert.equal(hidden, missing)
    assert.deepEqual(JSON.parse(hidden), {
      name: 'BadRequest',
      message: 'postId refers to a record that does not exist',
      code: 400,
      className: 'bad-request',
      data: { field: 'postId' }
    })
    assert.equal((await comments.create({ postId: post.id, body: 'ok' }, as(admin))).postId, post.id)
  })
})

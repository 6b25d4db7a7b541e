// In-memory storage for oidc-provider's models (codes, tokens, sessions, grants, interactions).
// The sandbox forgets everything when it stops, unless it keeps a data file; entries vanish once
// they expire.

/**
 * Returns an adapter factory with its own store, for oidc-provider's `adapter` option, filled with
 * `saved` (what an earlier `saved()` returned); the factory's `saved()` lists the live entries.
 */
export function createMemoryAdapter(saved = []) {
  const entries = new Map(); // "Model:id" -> { payload, expiresAt }
  const sessionIds = new Map(); // session uid -> session id
  for (const [key, { payload, expiresAt }] of saved) {
    entries.set(key, { payload, expiresAt: expiresAt ?? Infinity });
    if (key.startsWith('Session:')) sessionIds.set(payload.uid, key.slice('Session:'.length));
  }

  function read(key) {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= Date.now()) {
      entries.delete(key);
      return undefined;
    }
    return entry?.payload;
  }

  const factory = (model) => {
    const keyOf = (id) => `${model}:${id}`;
    return {
      async upsert(id, payload, expiresIn) {
        const expiresAt = expiresIn ? Date.now() + expiresIn * 1000 : Infinity;
        entries.set(keyOf(id), { payload, expiresAt });
        if (model === 'Session') sessionIds.set(payload.uid, id);
      },
      async find(id) {
        return read(keyOf(id));
      },
      async findByUid(uid) {
        return read(keyOf(sessionIds.get(uid)));
      },
      async findByUserCode() {
        return undefined; // no device flow in the sandbox
      },
      async consume(id) {
        const payload = read(keyOf(id));
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      },
      async destroy(id) {
        const payload = entries.get(keyOf(id))?.payload;
        if (model === 'Session' && payload) sessionIds.delete(payload.uid);
        entries.delete(keyOf(id));
      },
      async revokeByGrantId(grantId) {
        for (const [key, entry] of entries) {
          if (key.startsWith(`${model}:`) && entry.payload.grantId === grantId) entries.delete(key);
        }
      },
    };
  };
  factory.saved = () =>
    [...entries]
      .filter(([, entry]) => entry.expiresAt > Date.now())
      .map(([key, { payload, expiresAt }]) => [
        key,
        { payload, expiresAt: Number.isFinite(expiresAt) ? expiresAt : null },
      ]);
  return factory;
}

import HummingbirdBcrypt

/// Console passwords as bcrypt hashes (salted by bcrypt itself). Hashing costs about a quarter of a
/// second of CPU at the default cost, so callers run it where that is harmless (the console runs its
/// checks on their own threads, `PasswordChecker`); the store only keeps the hash.
package enum PasswordHash {
    /// bcrypt's cost for stored passwords; tests may lower it, nothing else should.
    package static let defaultCost: UInt8 = 12

    /// A new hash of `password`.
    package static func make(_ password: String, cost: UInt8 = defaultCost) -> String {
        Bcrypt.hash(password, cost: cost)
    }

    /// Whether `password` matches `hash`.
    package static func verify(_ password: String, against hash: String) -> Bool {
        Bcrypt.verify(password, hash: hash)
    }

    /// A hash no password matches, checked when a login names no user so that the answer takes as
    /// long as for a real one.
    package static let decoy = make(UInt64.random(in: .min ... .max).description + "-no-user", cost: defaultCost)
}

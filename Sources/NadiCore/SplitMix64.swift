/// A small deterministic random generator (SplitMix64): the demo city is the same on every
/// machine, and a test that draws from it can be replayed from its seed.
package struct SplitMix64: RandomNumberGenerator, Sendable {
    package var state: UInt64
    package init(seed: UInt64) { state = seed }
    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// A uniform value in [0, 1).
    package mutating func nextDouble() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

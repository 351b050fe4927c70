import NIOPosix
import NadiSupport
import ServiceLifecycle

#if canImport(Glibc)
    import Glibc
#endif

/// Checks console passwords (bcrypt at cost 12: about 0.3 s of CPU each) on a thread of its own,
/// never on the event loops or Swift's cooperative threads that serve pings, at most `inFlight` at
/// once with at most `waiting` more in line. A check past that is refused at once, without hashing:
/// a flood of logins then costs the machine one thread at low priority, and ingest goes on.
/// Run it as a service: it ends its thread on shutdown.
package final class PasswordChecker: Service, Sendable {
    /// What a check came to.
    package enum Verdict: Sendable, Equatable {
        case matches
        case wrong
        /// Too many checks in flight: try again shortly (nothing was hashed).
        case busy
    }

    let pool: NIOThreadPool
    let gate: CheckGate

    package init(inFlight: Int = 1, waiting: Int = 4) {
        pool = NIOThreadPool(numberOfThreads: max(1, inFlight))
        gate = CheckGate(inFlight: max(1, inFlight), waiting: max(0, waiting))
        pool.start()
    }

    /// Whether `password` matches the bcrypt `hash`.
    package func check(_ password: String, against hash: String) async throws -> Verdict {
        guard await gate.enter() else { return .busy }
        do {
            let matches = try await pool.runIfActive {
                Self.lowerPriority()
                return PasswordHash.verify(password, against: hash)
            }
            await gate.leave()
            return matches ? .matches : .wrong
        } catch {
            await gate.leave()
            throw error
        }
    }

    package func run() async throws {
        try? await gracefulShutdown()
        try await pool.shutdownGracefully()
    }

    /// Password checks yield the CPU to everything else: the thread runs at nice 10. (On Linux a
    /// nice value belongs to a thread, and `who` 0 is the calling thread.)
    static func lowerPriority() {
        #if canImport(Glibc)
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
        #endif
    }
}

/// Admits at most `inFlight` checks at once and lets at most `waiting` more wait their turn.
actor CheckGate {
    let inFlight: Int
    let waiting: Int
    private var running = 0
    private var queue: [CheckedContinuation<Void, Never>] = []

    init(inFlight: Int, waiting: Int) {
        self.inFlight = inFlight
        self.waiting = waiting
    }

    /// True once the caller may check (call `leave` after); false at once when the line is full.
    func enter() async -> Bool {
        if running < inFlight {
            running += 1
            return true
        }
        guard queue.count < waiting else { return false }
        await withCheckedContinuation { queue.append($0) }
        return true
    }

    func leave() {
        if queue.isEmpty {
            running -= 1
        } else {
            queue.removeFirst().resume()
        }
    }
}

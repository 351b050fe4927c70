import ServiceLifecycle
import Synchronization

/// Runs the demo simulator as a service once the demo city is loaded (which happens after the
/// application's services started, so the simulator is handed over later).
final class DemoRunner: Service, Sendable {
    private let handoff = Mutex<(simulator: DemoSimulator?, waiting: CheckedContinuation<DemoSimulator?, Never>?)>((nil, nil))

    func start(_ simulator: DemoSimulator) {
        let waiting = handoff.withLock { state -> CheckedContinuation<DemoSimulator?, Never>? in
            guard let waiting = state.waiting else {
                state.simulator = simulator
                return nil
            }
            state.waiting = nil
            return waiting
        }
        waiting?.resume(returning: simulator)
    }

    func run() async throws {
        let simulator = await withGracefulShutdownHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<DemoSimulator?, Never>) in
                let ready = handoff.withLock { state -> DemoSimulator?? in
                    if let simulator = state.simulator { return .some(simulator) }
                    state.waiting = continuation
                    return .none
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onGracefulShutdown: {
            let waiting = self.handoff.withLock { state -> CheckedContinuation<DemoSimulator?, Never>? in
                defer { state.waiting = nil }
                return state.waiting
            }
            waiting?.resume(returning: nil)
        }
        try await simulator?.run()
    }
}

import Foundation
import Synchronization

/// Who is changing things, for the audit trail: `token:<name>`, `console:<user>`, `cli:<os user>`
/// or `system:<job>`, from which address, and the request id that ties one API batch, console form
/// or CLI command together. Set for a task with `AuditActor.$current.withValue(…)`; every
/// transaction the task opens through `DatabaseClient` hands it to the audit triggers (schema
/// part 23) as the settings `nadi.actor`, `nadi.address` and `nadi.request_id`. The HTTP layer sets
/// it before it knows the token, and `identify` names the actor once the token is checked.
package final class AuditActor: Sendable {
    /// The actor of the current task, if any.
    @TaskLocal package static var current: AuditActor?

    private let state: Mutex<(actor: String?, address: String?)>
    /// The request id recorded with every change of this request or command.
    package let requestID: String

    package init(actor: String?, address: String? = nil, requestID: String = UUID().uuidString.lowercased()) {
        state = Mutex((actor, address.map { String($0.prefix(64)) }))
        self.requestID = requestID
    }

    /// Names the actor (the API's token once it is verified).
    package func identify(_ actor: String) {
        state.withLock { $0.actor = String(actor.prefix(200)) }
    }

    /// The actor's name and address, once known.
    package var settings: (actor: String, address: String?)? {
        state.withLock { state in state.actor.map { ($0, state.address) } }
    }

    /// `cli:<os user>` for a `nadi` command.
    package static func commandLine() -> AuditActor {
        let user = ProcessInfo.processInfo.environment["SUDO_USER"] ?? ProcessInfo.processInfo.environment["USER"] ?? userName()
        return AuditActor(actor: "cli:\(user)")
    }

    private static func userName() -> String {
        guard let entry = getpwuid(getuid()), let name = entry.pointee.pw_name else { return "uid\(getuid())" }
        return String(cString: name)
    }
}

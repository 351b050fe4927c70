import Logging
import NIOCore
import PostgresNIO

/// `COPY … FROM STDIN` that survives the database going away mid-copy.
///
/// postgres-nio 1.33.2 has two ways to fail a copy whose connection PostgreSQL closes:
/// - it traps (`ConnectionStateMachine.checkBackendCanReceiveCopyData`, "Copy mode is only supported
///   for extended queries") when a copy's `write`, `done` or `CopyFail` reaches the connection between
///   the moment the state machine learns it is closed and the moment NIO removes the connection's
///   handler, one turn of the event loop later. A primary killed under load crashed `nadid` that way
///   (`FailoverTests`, about one run in four with the machine busy);
/// - a `write` that waits for the channel to drain (a copy sent in several parts) is never answered
///   when the error or the close arrives meanwhile: the state machine drops its promise.
///
/// So the data goes in one write, and the whole copy runs on the connection's event loop (a task
/// executor preference): "is the connection open?" and the write, and again "is it open?" and the
/// `CopyDone` that `copyFrom` sends when the data is written, happen each in one turn of the loop,
/// with nothing in between. When the connection is closed, the copy waits for the handler to be gone
/// before it fails, so that postgres-nio's `CopyFail` finds no handler and throws instead of trapping.
enum GuardedCopy {
    /// Sends `data` (whole lines in COPY's text format) as `COPY table (columns) FROM STDIN`.
    static func copy(
        _ data: ByteBuffer, into table: String, columns: [String], on connection: PostgresConnection, logger: Logger
    ) async throws {
        let executor = EventLoopTaskExecutor(connection.eventLoop)
        try await withTaskExecutorPreference(executor) {
            try await connection.copyFrom(table: table, columns: columns, format: .text(.init()), logger: logger) { writer in
                try await ensureOpen(connection)
                do {
                    try await writer.write(data)
                } catch {
                    try await ensureOpen(connection)
                    throw error
                }
                // copyFrom sends CopyDone right after this returns, in the same turn of the loop.
                try await ensureOpen(connection)
            }
        }
    }

    /// Returns at once (without suspending) while the connection is open. When it is closed, waits
    /// until NIO has removed its handler, then throws.
    private static func ensureOpen(_ connection: PostgresConnection) async throws {
        guard connection.isClosed else { return }
        try? await connection.closeFuture.get()
        throw PostgresError.connectionClosed
    }
}

/// Runs a task's jobs on a NIO event loop: code that prefers it runs on the loop's thread, in turn
/// with the loop's own work.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}

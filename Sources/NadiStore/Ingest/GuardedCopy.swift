import Logging
import NIOCore
import PostgresNIO

/// `COPY … FROM STDIN` that survives the database going away mid-copy.
///
/// postgres-nio 1.33.2 traps (`ConnectionStateMachine.checkBackendCanReceiveCopyData`, "Copy mode is
/// only supported for extended queries") when a copy's `write`, `done` or `CopyFail` reaches the
/// connection between the moment PostgreSQL closes it (the state machine is `.closed`) and the moment
/// NIO removes the connection's handler, one event-loop turn later. A primary killed under load
/// crashed `nadid` that way (`FailoverTests`, about one run in six with the machine busy). Here the
/// whole copy runs on the connection's event loop (a task executor preference), so that "is the
/// connection open?" and the write that follows happen in one turn, with nothing in between; when it
/// is closed, the copy waits for the handler to be gone before it fails, so that postgres-nio's
/// `CopyFail` finds no handler and throws instead of trapping.
enum GuardedCopy {
    /// Sends `chunks` as the data of `COPY table (columns) FROM STDIN` (text format).
    static func copy(
        _ chunks: [ByteBuffer], into table: String, columns: [String], on connection: PostgresConnection, logger: Logger
    ) async throws {
        let executor = EventLoopTaskExecutor(connection.eventLoop)
        try await withTaskExecutorPreference(executor) {
            try await connection.copyFrom(table: table, columns: columns, format: .text(.init()), logger: logger) { writer in
                for chunk in chunks {
                    try await ensureOpen(connection)
                    do {
                        try await writer.write(chunk)
                    } catch {
                        try await ensureOpen(connection)
                        throw error
                    }
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

import Hummingbird
import Synchronization

#if os(Linux)
    /// glibc's `malloc_trim` (declared in malloc.h, which the Glibc module does not expose).
    @_silgen_name("malloc_trim")
    private func glibcMallocTrim(_ pad: Int) -> Int32
#endif

/// Hands memory freed after a large request back to the system. glibc's allocator keeps freed
/// arenas for reuse, so one 12 MB body of 300,000 records left nadid at 300 MB resident for good;
/// `malloc_trim` returns what is free. At most once every few seconds, and only after a request
/// whose body was large.
enum MemoryTrim {
    /// Bodies at least this large are followed by a trim.
    static let threshold = 1 << 20
    private static let last = Mutex<ContinuousClock.Instant?>(nil)

    static func afterRequest(bodyBytes: Int) {
        guard bodyBytes >= threshold else { return }
        let due = last.withLock { last -> Bool in
            let now = ContinuousClock.now
            if let previous = last, now - previous < .seconds(2) { return false }
            last = now
            return true
        }
        guard due else { return }
        #if os(Linux)
            _ = glibcMallocTrim(0)
        #endif
    }
}

/// Calls `MemoryTrim` once a request with a large body has been answered (its records freed).
struct MemoryTrimMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let length = request.headers[.contentLength].flatMap { Int($0) } ?? 0
        defer { MemoryTrim.afterRequest(bodyBytes: length) }
        return try await next(request, context)
    }
}

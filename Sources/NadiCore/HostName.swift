#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// This machine's name as the kernel knows it (`gethostname`), for naming lease holders.
/// (Foundation's `ProcessInfo.hostName` resolves the name through DNS and can block a thread for
/// seconds where no resolver answers.)
package enum HostName {
    package static var local: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// How deeply a JSON text nests, found in one pass that stops at a limit.
///
/// Foundation's `JSONDecoder` spends more than linear time on deep nesting (a 3 KB record of 511
/// levels took 0.85 s to refuse), and no Nadi record is deeper than `BatchDecoder.maxDepth`.
/// So every record is measured with this scanner before a decoder sees it, and a deeper one is
/// refused at the cost of reading its bytes once.
package enum JSONNesting {
    /// True when arrays and objects in `bytes` nest deeper than `limit` levels (`{}` is one level).
    /// Strings are skipped with their escapes, so brackets inside them do not count. Text that is
    /// not JSON is measured as far as its brackets go; the decoder words its other faults.
    package static func exceeds(_ bytes: UnsafeRawBufferPointer, limit: Int) -> Bool {
        var depth = 0
        var index = 0
        let count = bytes.count
        while index < count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                index += 1
                while index < count, bytes[index] != UInt8(ascii: "\"") {
                    index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
                }
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > limit { return true }
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth = max(0, depth - 1)
            default:
                break
            }
            index += 1
        }
        return false
    }
}

/// Finds objects that name a key twice. JSON leaves duplicate keys undefined and Foundation's
/// decoder silently keeps one of them, so `{"status":"down","status":"up"}` would mean whatever the
/// parser picked; Nadi refuses such a record instead.
package enum JSONDuplicateKeys {
    /// A key named twice in one object, and which element of a top-level array it is in (nil when
    /// the text is not an array).
    package struct Finding: Sendable, Equatable {
        package var element: Int?
        package var key: String
    }

    /// Every record with a duplicate key: for a top-level array, one finding per element at most;
    /// otherwise at most one finding for the whole text. Text that is not well-formed JSON is scanned
    /// as far as it goes (the decoder words the syntax error).
    package static func find(in bytes: UnsafeRawBufferPointer) -> [Finding] {
        var scanner = Scanner(bytes: bytes)
        return scanner.run()
    }

    private struct Scanner {
        let bytes: UnsafeRawBufferPointer
        var index = 0
        /// Keys seen so far in each open object (nil for an open array).
        var frames: [Set<[UInt8]>?] = []
        var topLevelArray = false
        var element = 0
        var flaggedElement: Int?
        var findings: [Finding] = []

        init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        mutating func run() -> [Finding] {
            // A string directly after `{` or `,` inside an object is a key.
            var expectKey = false
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "{"):
                    frames.append([])
                    expectKey = true
                    index += 1
                case UInt8(ascii: "["):
                    if frames.isEmpty { topLevelArray = true }
                    frames.append(nil)
                    expectKey = false
                    index += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    if !frames.isEmpty { frames.removeLast() }
                    expectKey = false
                    index += 1
                case UInt8(ascii: ","):
                    if topLevelArray, frames.count == 1 { element += 1 }
                    expectKey = frames.last.map { $0 != nil } ?? false
                    index += 1
                case UInt8(ascii: "\""):
                    guard let text = string() else { return findings }
                    if expectKey, let last = frames.indices.last, var keys = frames[last] {
                        frames[last] = nil  // the stack's reference dropped, the insert below does not copy the set
                        if !keys.insert(text).inserted { flag(text) }
                        frames[last] = keys
                    }
                    expectKey = false
                default:
                    index += 1
                }
            }
            return findings
        }

        mutating func flag(_ key: [UInt8]) {
            let at = topLevelArray ? element : nil
            if let at, flaggedElement == at { return }
            if !topLevelArray, !findings.isEmpty { return }
            flaggedElement = at
            findings.append(Finding(element: at, key: String(decoding: key, as: UTF8.self)))
        }

        /// The string at `index` with its escapes resolved (so "a" and "\u0061" are one key).
        mutating func string() -> [UInt8]? {
            index += 1
            var out: [UInt8] = []
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    index += 1
                    return out
                }
                if byte == UInt8(ascii: "\\") {
                    guard index + 1 < bytes.count else { return nil }
                    let escape = bytes[index + 1]
                    index += 2
                    switch escape {
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "u"):
                        guard index + 4 <= bytes.count,
                            let unit = UInt16(
                                String(decoding: UnsafeRawBufferPointer(rebasing: bytes[index..<index + 4]), as: UTF8.self), radix: 16)
                        else { return nil }
                        index += 4
                        // Surrogates stay as their code units: equal escapes still compare equal.
                        if let scalar = Unicode.Scalar(unit) {
                            out.append(contentsOf: Array(String(Character(scalar)).utf8))
                        } else {
                            out.append(contentsOf: [0xFF, UInt8(unit >> 8), UInt8(unit & 0xFF)])
                        }
                    default: out.append(escape)
                    }
                    continue
                }
                out.append(byte)
                index += 1
            }
            return nil
        }
    }
}

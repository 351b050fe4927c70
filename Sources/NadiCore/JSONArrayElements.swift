/// Splits a JSON array into the byte ranges of its elements without parsing them, so each element
/// can go through `PingFastDecoder` the way an NDJSON line does.
///
/// It only follows the structure — strings (with their escapes), nesting and the commas at the
/// array's own level. Whatever it cannot split plainly (a missing or extra comma, an unterminated
/// string, bytes after the closing bracket, invalid UTF-8) gives nil, and the caller decodes the
/// whole body with `JSONDecoder` instead, which words the error. An element it returns may still be
/// malformed inside (`{]`): decoding that element tells.
package enum JSONArrayElements {
    /// The ranges of the elements of the array in `bytes` (leading and trailing whitespace allowed),
    /// each trimmed of whitespace; nil when the body is not plainly an array.
    package static func split(_ bytes: UnsafeRawBufferPointer) -> [Range<Int>]? {
        var index = 0
        skipSpace(bytes, &index)
        guard index < bytes.count, bytes[index] == UInt8(ascii: "[") else { return nil }
        index += 1
        var elements: [Range<Int>] = []
        var depth = 0
        var start = index
        var nonASCII = false
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] >= 0x80 { nonASCII = true }
                    index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
                }
                guard index < bytes.count else { return nil }  // unterminated string
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                if depth > 0 {
                    depth -= 1
                } else {
                    guard byte == UInt8(ascii: "]") else { return nil }
                    // The array's end: the last element (or none, for `[]`), then only whitespace.
                    let last = trimmed(bytes, start..<index)
                    if !last.isEmpty {
                        elements.append(last)
                    } else if !elements.isEmpty {
                        return nil  // a trailing comma
                    }
                    index += 1
                    skipSpace(bytes, &index)
                    guard index == bytes.count else { return nil }
                    if nonASCII, String(validating: bytes, as: UTF8.self) == nil { return nil }
                    return elements
                }
            case UInt8(ascii: ",") where depth == 0:
                let element = trimmed(bytes, start..<index)
                guard !element.isEmpty else { return nil }
                elements.append(element)
                start = index + 1
            default:
                if byte >= 0x80 { nonASCII = true }
            }
            index += 1
        }
        return nil  // no closing bracket
    }

    private static func skipSpace(_ bytes: UnsafeRawBufferPointer, _ index: inout Int) {
        while index < bytes.count, BatchDecoder.isSpace(bytes[index]) { index += 1 }
    }

    private static func trimmed(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, BatchDecoder.isSpace(bytes[lower]) { lower += 1 }
        while upper > lower, BatchDecoder.isSpace(bytes[upper - 1]) { upper -= 1 }
        return lower..<upper
    }
}

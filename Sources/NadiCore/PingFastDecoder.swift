/// Decodes the common shape of one ping — a flat JSON object with the known fields, strings without
/// escapes, `metrics` a flat object of numbers, strings, booleans and nulls — straight from its
/// bytes. Anything else (escapes, unknown or repeated fields, nesting, wrong types, invalid UTF-8)
/// gives nil, and the caller decodes the record with `JSONDecoder` instead, which also words the
/// error. So the result is the same as the slow path's for every input; only the cost differs.
///
/// Why: `nadi bench ingest` showed Foundation's `JSONDecoder` taking half of nadid's CPU time per
/// ping (its metrics dictionary a fifth). `metrics` is kept as the exact JSON text received, which
/// is what PostgreSQL parses into `jsonb` anyway.
package enum PingFastDecoder {
    /// The ping in `bytes` (one JSON object, surrounding whitespace allowed), or nil for the slow path.
    package static func decode(_ bytes: UnsafeRawBufferPointer) -> PingInput? {
        var scanner = Scanner(bytes: bytes)
        return scanner.ping()
    }

    private struct Scanner {
        let bytes: UnsafeRawBufferPointer
        var index = 0

        init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        var atEnd: Bool { index >= bytes.count }
        var current: UInt8 { bytes[index] }

        mutating func skipSpace() {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0A || bytes[index] == 0x0D {
                index += 1
            }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            skipSpace()
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        /// A string without escapes or control characters: the range of its contents.
        mutating func rawString() -> Range<Int>? {
            skipSpace()
            guard index < bytes.count, bytes[index] == 0x22 else { return nil }
            let start = index + 1
            var end = start
            while end < bytes.count {
                let byte = bytes[end]
                if byte == 0x22 { break }
                if byte == 0x5C || byte < 0x20 { return nil }
                end += 1
            }
            guard end < bytes.count else { return nil }
            index = end + 1
            return start..<end
        }

        mutating func string() -> String? {
            guard let range = rawString() else { return nil }
            return String(validating: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        }

        /// `null`: true and consumed; otherwise nothing consumed.
        mutating func null() -> Bool { literal("null") }

        mutating func literal(_ word: StaticString) -> Bool {
            skipSpace()
            let count = word.utf8CodeUnitCount
            guard index + count <= bytes.count else { return false }
            for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
            index += count
            return true
        }

        /// A JSON number (`-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`): its range.
        mutating func rawNumber() -> Range<Int>? {
            skipSpace()
            let start = index
            var at = index
            func digits() -> Int {
                let first = at
                while at < bytes.count, bytes[at] &- 0x30 < 10 { at += 1 }
                return at - first
            }
            if at < bytes.count, bytes[at] == 0x2D { at += 1 }
            guard at < bytes.count else { return nil }
            if bytes[at] == 0x30 {
                at += 1
            } else if digits() == 0 {
                return nil
            }
            if at < bytes.count, bytes[at] == 0x2E {
                at += 1
                guard digits() > 0 else { return nil }
            }
            if at < bytes.count, bytes[at] == 0x65 || bytes[at] == 0x45 {
                at += 1
                if at < bytes.count, bytes[at] == 0x2B || bytes[at] == 0x2D { at += 1 }
                guard digits() > 0 else { return nil }
            }
            index = at
            return start..<at
        }

        /// A number with at most 15 significant digits and an exponent of at most two digits: one
        /// that `Double` holds as written and PostgreSQL's `numeric` takes. Anything else (`1e999`,
        /// `1e-99999`, long integers) is left to the slow path, so both paths give one answer for it.
        mutating func plainNumber() -> Range<Int>? {
            guard let range = rawNumber(), range.count <= 24 else { return nil }
            var digits = 0
            var exponentDigits = 0
            var inExponent = false
            for offset in range {
                let byte = bytes[offset]
                if byte == 0x65 || byte == 0x45 {
                    inExponent = true
                } else if byte &- 0x30 < 10 {
                    if inExponent { exponentDigits += 1 } else { digits += 1 }
                }
            }
            return digits <= 15 && exponentDigits <= 2 ? range : nil
        }

        mutating func number() -> Double? {
            guard let range = plainNumber() else { return nil }
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
            guard let value = Double(text), value.isFinite else { return nil }
            return value
        }

        /// A flat object of scalars, each key once: its exact text.
        mutating func flatObject() -> String? {
            skipSpace()
            let start = index
            guard take(0x7B) else { return nil }
            var keys: [Range<Int>] = []
            if !take(0x7D) {
                repeat {
                    guard let key = rawString(), take(0x3A), keys.count < 32 else { return nil }
                    for seen in keys where seen.count == key.count && memcmp(seen, key) { return nil }
                    keys.append(key)
                    skipSpace()
                    guard !atEnd else { return nil }
                    switch current {
                    case 0x22: guard rawString() != nil else { return nil }
                    case 0x74: guard literal("true") else { return nil }
                    case 0x66: guard literal("false") else { return nil }
                    case 0x6E: guard literal("null") else { return nil }
                    default: guard plainNumber() != nil else { return nil }
                    }
                } while take(0x2C)
                guard take(0x7D) else { return nil }
            }
            guard index - start <= 4096 else { return nil }
            return String(validating: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        }

        func memcmp(_ a: Range<Int>, _ b: Range<Int>) -> Bool {
            for offset in 0..<a.count where bytes[a.lowerBound + offset] != bytes[b.lowerBound + offset] { return false }
            return true
        }

        enum Field: UInt8 {
            case device = 1, at = 2, status = 4, latency = 8, reason = 16, metrics = 32
        }

        func field(_ key: Range<Int>) -> Field? {
            func equals(_ name: StaticString) -> Bool {
                guard key.count == name.utf8CodeUnitCount else { return false }
                for offset in 0..<key.count where bytes[key.lowerBound + offset] != name.utf8Start[offset] { return false }
                return true
            }
            if equals("device") { return .device }
            if equals("at") { return .at }
            if equals("status") { return .status }
            if equals("latency_ms") { return .latency }
            if equals("reason") { return .reason }
            if equals("metrics") { return .metrics }
            return nil
        }

        mutating func ping() -> PingInput? {
            guard take(0x7B) else { return nil }
            var seen: UInt8 = 0
            var device: String?
            var at: String?
            var status: String?
            var latency: Double?
            var reason: String?
            var metrics: String?
            if !take(0x7D) {
                repeat {
                    guard let key = rawString(), take(0x3A), let field = field(key), seen & field.rawValue == 0 else { return nil }
                    seen |= field.rawValue
                    switch field {
                    case .device: device = string()
                    case .status: status = string()
                    case .at:
                        if !null() {
                            guard let text = string() else { return nil }
                            at = text
                        }
                    case .reason:
                        if !null() {
                            guard let text = string() else { return nil }
                            reason = text
                        }
                    case .latency:
                        if !null() {
                            guard let value = number() else { return nil }
                            latency = value
                        }
                    case .metrics:
                        if !null() {
                            guard let text = flatObject() else { return nil }
                            metrics = text
                        }
                    }
                } while take(0x2C)
                guard take(0x7D) else { return nil }
            }
            skipSpace()
            guard atEnd, let device, let status else { return nil }
            var input = PingInput(device: device, at: at, status: status, latencyMs: latency, reason: reason)
            input.metricsText = metrics
            return input
        }
    }
}

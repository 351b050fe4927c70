package import Foundation

/// Decodes a batch body — a JSON array of records, or NDJSON (one record a line) — record by
/// record, so one bad record is reported with its index and the others are still kept. Lives in
/// NadiCore, free of the HTTP server, so the fuzz target (`Deploy/fuzz.sh`) links it on its own.
package enum BatchDecoder {
    /// A body that is not a batch at all (nothing in it can be stored).
    package struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        package let description: String
    }

    /// The deepest nesting of arrays and objects a record of `type` may have: what validation allows
    /// (a ping's metrics nest at most 4 levels inside it, other records' attributes 8). A deeper
    /// record is refused before any decoder reads it, so a body's cost stays linear in its size
    /// (Foundation's decoder spends more than linear time on depth).
    package static func maxDepth<Record>(_ type: Record.Type) -> Int {
        type == PingInput.self ? 5 : 9
    }

    static func tooDeep(_ limit: Int) -> DecodeProblem {
        DecodeProblem(
            "the record nests arrays and objects more than \(limit) levels deep (metrics may nest 4 levels, attributes 8)")
    }

    /// A JSON array (a leading UTF-8 BOM is allowed); each element decodes on its own.
    package static func decodeArray<Record: Decodable & Sendable>(
        _ type: Record.Type, _ data: Data
    ) throws(SyntaxError) -> [Result<Record, DecodeProblem>] {
        let body = data.starts(with: [0xEF, 0xBB, 0xBF]) ? data.dropFirst(3) : data[...]
        guard body.first(where: { !isSpace($0) }) == UInt8(ascii: "[") else {
            throw SyntaxError(description: "the body must be a JSON array of records (or NDJSON with Content-Type: application/x-ndjson)")
        }
        let deep = body.withUnsafeBytes { JSONNesting.exceeds($0, limit: maxDepth(type) + 1) }
        if deep {
            // Some element nests too deeply: decode element by element, refusing the deep ones unread.
            let split = body.withUnsafeBytes { bytes -> [Result<Record, DecodeProblem>]? in
                guard let elements = JSONArrayElements.split(bytes) else { return nil }
                return decodeElements(type, bytes, elements, fastPath: nil)
            }
            guard let split else {
                throw SyntaxError(
                    description: "malformed JSON, and arrays and objects nest more than \(maxDepth(type) + 1) levels deep")
            }
            return split
        }
        do {
            var results = try JSONDecoder().decode([Lenient<Record>].self, from: Data(body)).map(\.result)
            let duplicates = body.withUnsafeBytes { JSONDuplicateKeys.find(in: $0) }
            for finding in duplicates {
                guard let element = finding.element, results.indices.contains(element) else { continue }
                results[element] = .failure(duplicateKey(finding.key))
            }
            return results
        } catch {
            throw SyntaxError(description: "malformed JSON: \(syntaxProblem(error, in: Data(body)))")
        }
    }

    /// A JSON array of pings: each element through `PingFastDecoder` first, `JSONDecoder` when it
    /// declines — the same answers as `decodeArray`, at the NDJSON path's cost.
    package static func decodePingArray(_ data: Data) throws(SyntaxError) -> [Result<PingInput, DecodeProblem>] {
        try decodeArray(PingInput.self, data, fastPath: PingFastDecoder.decode)
    }

    /// A JSON array with an optional fast path tried on each element. When the body cannot be split
    /// plainly into elements, or an element is not JSON, the whole body goes through `JSONDecoder`
    /// as without a fast path, so errors read the same either way.
    package static func decodeArray<Record: Decodable & Sendable>(
        _ type: Record.Type, _ data: Data, fastPath: ((UnsafeRawBufferPointer) -> Record?)?
    ) throws(SyntaxError) -> [Result<Record, DecodeProblem>] {
        guard let fastPath else { return try decodeArray(type, data) }
        let split = data.withUnsafeBytes { (whole: UnsafeRawBufferPointer) -> [Result<Record, DecodeProblem>]? in
            let body = whole.starts(with: [0xEF, 0xBB, 0xBF]) ? UnsafeRawBufferPointer(rebasing: whole[3...]) : whole
            guard let elements = JSONArrayElements.split(body) else { return nil }
            return decodeElements(type, body, elements, fastPath: fastPath)
        }
        if let split { return split }
        return try decodeArray(type, data)
    }

    /// Each element of a split array on its own: the fast path, then the nesting limit, duplicate
    /// keys and `JSONDecoder`. Nil when an element is not JSON (the caller words the syntax error).
    static func decodeElements<Record: Decodable & Sendable>(
        _ type: Record.Type, _ body: UnsafeRawBufferPointer, _ elements: [Range<Int>],
        fastPath: ((UnsafeRawBufferPointer) -> Record?)?
    ) -> [Result<Record, DecodeProblem>]? {
        let decoder = JSONDecoder()
        var results: [Result<Record, DecodeProblem>] = []
        results.reserveCapacity(elements.count)
        for range in elements {
            let element = UnsafeRawBufferPointer(rebasing: body[range])
            if let fastPath, let record = fastPath(element) {
                results.append(.success(record))
            } else if JSONNesting.exceeds(element, limit: maxDepth(type)) {
                results.append(.failure(tooDeep(maxDepth(type))))
            } else if let duplicate = JSONDuplicateKeys.find(in: element).last {
                // The whole-body path reports an element's last repeated key; so does this one.
                results.append(.failure(duplicateKey(duplicate.key)))
            } else if let decoded = try? decoder.decode(Lenient<Record>.self, from: Data(element)) {
                results.append(decoded.result)
            } else {
                return nil  // not JSON: the whole-body path words the syntax error
            }
        }
        return results
    }

    /// NDJSON: one record a line (CRLF and blank lines allowed, a leading BOM too); a line that is not
    /// JSON is a failed record at its index, not a failed batch.
    package static func decodeLines<Record: Decodable & Sendable>(_ type: Record.Type, _ data: Data) -> [Result<Record, DecodeProblem>] {
        decodeLines(type, data, fastPath: nil)
    }

    /// NDJSON pings: each line through `PingFastDecoder` first, `JSONDecoder` when it declines.
    package static func decodePingLines(_ data: Data) -> [Result<PingInput, DecodeProblem>] {
        decodeLines(PingInput.self, data, fastPath: PingFastDecoder.decode)
    }

    /// NDJSON with an optional fast path tried on each line before `JSONDecoder`.
    package static func decodeLines<Record: Decodable & Sendable>(
        _ type: Record.Type, _ data: Data, fastPath: ((UnsafeRawBufferPointer) -> Record?)?
    ) -> [Result<Record, DecodeProblem>] {
        let decoder = JSONDecoder()
        var results: [Result<Record, DecodeProblem>] = []
        data.withUnsafeBytes { (body: UnsafeRawBufferPointer) in
            // One pass over the bytes; a line becomes `Data` only when JSONDecoder must read it.
            var start = body.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
            while start < body.count {
                var end = start
                while end < body.count, body[end] != 0x0A { end += 1 }
                let next = end + 1
                if end > start, body[end - 1] == 0x0D { end -= 1 }
                let line = UnsafeRawBufferPointer(rebasing: body[start..<end])
                start = next
                if line.allSatisfy(isSpace) { continue }
                if let fastPath, let record = fastPath(line) {
                    results.append(.success(record))
                    continue
                }
                if JSONNesting.exceeds(line, limit: maxDepth(type)) {
                    results.append(.failure(tooDeep(maxDepth(type))))
                    continue
                }
                if let duplicate = JSONDuplicateKeys.find(in: line).first {
                    results.append(.failure(duplicateKey(duplicate.key)))
                    continue
                }
                do {
                    results.append(try decoder.decode(Lenient<Record>.self, from: Data(line)).result)
                } catch {
                    results.append(.failure(DecodeProblem("malformed JSON on this line: \(syntaxProblem(error, in: Data(line)))")))
                }
            }
        }
        return results
    }

    static func duplicateKey(_ key: String) -> DecodeProblem {
        DecodeProblem("key '\(key.prefix(40))' appears twice in this record; send each key once")
    }

    /// JSON whitespace.
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// The parser's complaint, with where it was when Foundation says so.
    /// Where Foundation's decoder only says "not valid JSON", `text` is parsed again by
    /// `JSONSerialization`, which says where ("invalid value around character 14").
    static func syntaxProblem(_ error: any Error, in text: Data) -> String {
        if case DecodingError.dataCorrupted(let context) = error, let words = context.underlyingError.flatMap(JSONErrorText.words(for:)) {
            return words
        }
        if let words = JSONErrorText.words(for: error) { return words }
        do {
            _ = try JSONSerialization.jsonObject(with: text, options: [.fragmentsAllowed])
        } catch {
            if let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String {
                return detail.prefix(1).lowercased() + detail.dropFirst().trimmingCharacters(in: CharacterSet(charactersIn: "."))
            }
        }
        if case DecodingError.dataCorrupted(let context) = error {
            let underlying = (context.underlyingError as? NSError)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return underlying ?? context.debugDescription
        }
        return "\(error)"
    }
}

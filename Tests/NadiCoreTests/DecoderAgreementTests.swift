import Foundation
import NadiCore
import Testing

/// The NDJSON fast path and the JSON-array path give one answer for every record (issue 12): unusual
/// numbers and duplicate keys included, and what they accept is storable.
@Suite("Decoder agreement")
struct DecoderAgreementTests {
    static let lines = [
        #"{"device":"D-1","status":"up","metrics":{"x":1e999}}"#,
        #"{"device":"D-1","status":"up","metrics":{"x":1e-99999}}"#,
        #"{"device":"D-1","status":"up","metrics":{"x":123456789012345678901234567890}}"#,
        #"{"device":"D-1","status":"up","metrics":{"x":-27.5e0}}"#,
        #"{"device":"D-1","status":"up","latency_ms":1e999}"#,
        #"{"device":"D-1","status":"up","latency_ms":12345678901234567890}"#,
        #"{"device":"D-1","status":"down","status":"up"}"#,
        #"{"device":"D-1","status":"up","metrics":{"x":1,"x":2}}"#,
        #"{"device":"D-1","status":"up","metrics":{"x":1,"\u0078":2}}"#,
        #"{"device":"D-1","status":"up","metrics":{"a":{"b":1,"b":2}}}"#,
    ]

    /// Accepted (with the metrics as stored) or refused, after decoding and validation.
    static func outcome(_ result: Result<PingInput, DecodeProblem>) -> String {
        switch result {
        case .failure: return "refused"
        case .success(let input):
            switch RecordValidation.ping(input, receivedAt: Date(), retention: 86_400 * 90) {
            case .failure: return "refused"
            case .success(let record):
                return "accepted \(record.latencyMs.map { "\($0)" } ?? "-") \(record.metricsJSON ?? "-")"
            }
        }
    }

    @Test("NDJSON and a JSON array agree on every record", arguments: lines)
    func agree(line: String) throws {
        let ndjson = BatchDecoder.decodePingLines(Data(line.utf8))
        let array = try BatchDecoder.decodeArray(PingInput.self, Data("[\(line)]".utf8))
        try #require(ndjson.count == 1 && array.count == 1)
        let fast = Self.outcome(ndjson[0])
        let slow = Self.outcome(array[0])
        // Same verdict; when accepted, the same number (the fast path may keep "-27.5e0" as written).
        #expect(fast.hasPrefix("refused") == slow.hasPrefix("refused"), "\(line): ndjson \(fast), array \(slow)")
        if !line.contains("e0") { #expect(fast == slow, "\(line)") }
    }

    @Test("a duplicate key refuses its record, in an array only that element")
    func duplicateKeys() throws {
        let body = #"[{"device":"D-1","status":"up"},{"device":"D-2","status":"down","status":"up"},{"device":"D-3","status":"up"}]"#
        let results = try BatchDecoder.decodeArray(PingInput.self, Data(body.utf8))
        #expect(results.map { (try? $0.get()) != nil } == [true, false, true])
        if case .failure(let problem) = results[1] { #expect(problem.description.contains("'status' appears twice")) }
        let lines = BatchDecoder.decodePingLines(Data(#"{"device":"D-2","status":"down","status":"up"}"#.utf8))
        #expect((try? lines[0].get()) == nil)
    }

    @Test("NUL characters are refused per record in every text a ping carries")
    func nul() throws {
        let lines = [
            #"{"device":"D\u0000","status":"up"}"#, #"{"device":"D-1","status":"up","reason":"a\u0000b"}"#,
            #"{"device":"D-1","status":"up","metrics":{"k":"a\u0000"}}"#, #"{"device":"D-1","status":"up","metrics":{"k\u0000":1}}"#,
        ]
        for line in lines {
            #expect(Self.outcome(BatchDecoder.decodePingLines(Data(line.utf8))[0]) == "refused", "\(line)")
        }
    }

    @Test("only well-formed ATTLOG lines count as attendance records")
    func attendanceLog() {
        let body =
            "1001\t2026-11-23 07:58:12\t0\t1\t0\t0\n\n1002\t2026-11-23 08:01:00\t0\t1\ngarbage line\n1003\t2026-13-01 08:00:00\t0\n \t \n"
        #expect(AttendanceLog.recordCount(Array(body.utf8)) == 2)
    }
}

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

    /// Bodies that split into elements: each element's answer must be the whole-body path's.
    static let arrays = [
        "[]", " \n[ ]\n", "\u{FEFF}[{\"device\":\"D-1\",\"status\":\"up\"}]",
        #"[{"device":"D-1","status":"up"} , {"device":"D-2","status":"down","reason":"a,]}\"{["}]"#,
        #"[{"device":"D-1","status":"up","metrics":{"x":[1,2],"y":{"z":"]"}}},{"device":"D-2","status":"up"}]"#,
        #"[{"device":"D-\u0031","status":"up"},1,"x",null,[],{},{"device":"D-3"}]"#,
        #"[{"device":"Dé","status":"up","metrics":{"suhu":"37,5 °C"}},{"device":"D-4","status":"degraded","latency_ms":"9"}]"#,
        #"[{"device":"D-5","status":"up","status":"down"},{"device":"D-6","status":"up","metrics":{"a":1,"b":2,"a":3,"b":4}}]"#,
        "[" + lines.joined(separator: ",") + "]",
    ]

    /// Bodies that are not JSON arrays: both paths must refuse the whole body with the same words.
    static let malformed = [
        "[", "[,1]", "[1,,2]", "[{\"device\":\"D\"} {\"x\":1}]", "[{\"device\":\"D-1\",\"status\":\"up\"}] x",
        "[{]}", "[{\"device\":\"abc]", "[{\"device\":\"D-1\",\"status\":\"up\"},{\"device\":tru}]", "{\"device\":\"D-1\"}", "[1]]",
    ]

    /// Each element's answer. Over the whole body JSONDecoder's field paths start at the element's
    /// index (`field '[1].latency_ms'`); element by element, as in NDJSON, they do not — the index is
    /// in the answer's `index` anyway — so that prefix is left out before comparing.
    static func answers(_ results: [Result<PingInput, DecodeProblem>]) -> [String] {
        results.map { result in
            switch result {
            case .failure(let problem):
                "refused: "
                    + problem.description.replacing(/^field '\[\d+\]'/, with: "the record").replacing(/^field '\[\d+\]\./, with: "field '")
            case .success: outcome(result)
            }
        }
    }

    @Test("a JSON array split for the fast path answers every element as JSONDecoder over the whole body does", arguments: arrays)
    func arrayFastPathAgrees(body: String) throws {
        let fast = try BatchDecoder.decodePingArray(Data(body.utf8))
        let slow = try BatchDecoder.decodeArray(PingInput.self, Data(body.utf8))
        try #require(fast.count == slow.count, "\(body)")
        for (index, (a, b)) in zip(Self.answers(fast), Self.answers(slow)).enumerated()
        where !(body.contains("e0") && a.hasPrefix("accepted")) {
            #expect(a == b, "element \(index) of \(body)")
        }
    }

    @Test("a body that is not a JSON array is refused whole, in the same words, with or without the fast path", arguments: malformed)
    func arrayFastPathRefusesAlike(body: String) {
        let fast = Result { try BatchDecoder.decodePingArray(Data(body.utf8)) }
        let slow = Result { try BatchDecoder.decodeArray(PingInput.self, Data(body.utf8)) }
        guard case .failure(let fastError) = fast, case .failure(let slowError) = slow else {
            Issue.record("\(body): expected both to refuse, got fast \(fast), slow \(slow)")
            return
        }
        #expect("\(fastError)" == "\(slowError)", "\(body)")
    }

    @Test("invalid UTF-8 in one element of an array refuses that element only, as JSONDecoder over the whole body does")
    func arrayInvalidUTF8() throws {
        var bytes = Array(#"[{"device":"D-1","status":"up"},{"device":"D-2","status":"up","reason":"x"#.utf8)
        bytes += [0xFF, 0xFE] + Array(#""}]"#.utf8)
        let fast = Self.answers(try BatchDecoder.decodePingArray(Data(bytes)))
        #expect(fast == Self.answers(try BatchDecoder.decodeArray(PingInput.self, Data(bytes))))
        #expect(fast.map { $0.hasPrefix("accepted") } == [true, false])
    }

    @Test("the common ping shape in an array takes the fast path, element by element")
    func arrayTakesFastPath() throws {
        final class Calls: @unchecked Sendable { var count = 0 }
        let calls = Calls()
        let body =
            #"[{"device":"D-1","status":"up","metrics":{"fps":25}},{"device":"D-2","status":"down","reason":"no video"},{"device":"D-3","status":"up"}]"#
        let results = try BatchDecoder.decodeArray(PingInput.self, Data(body.utf8)) { bytes in
            calls.count += 1
            return PingFastDecoder.decode(bytes)
        }
        #expect(calls.count == 3)
        #expect(results.compactMap { try? $0.get().device } == ["D-1", "D-2", "D-3"])
        #expect((try? results[0].get().metricsText) == #"{"fps":25}"#)
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

import Foundation
import NadiCore
import Testing

@Suite("Ping fast decoder")
struct PingFastDecoderTests {
    static func fast(_ line: String) -> PingInput? {
        Array(line.utf8).withUnsafeBytes { PingFastDecoder.decode($0) }
    }

    static func slow(_ line: String) throws -> PingInput {
        try JSONDecoder().decode(PingInput.self, from: Data(line.utf8))
    }

    @Test("the common shape decodes to what JSONDecoder gives, metrics kept as the text received")
    func sameAsSlowPath() throws {
        let lines = [
            #"{"device":"PLG-CCTV-1","at":"2026-11-22T10:00:00.123Z","status":"up","latency_ms":12.5,"metrics":{"fps":25,"bitrate_kbps":2100}}"#,
            #" { "device" : "PLG-FO-1" , "status" : "degraded" , "reason" : "rx low" , "metrics" : { "rx_dbm" : -27.5e0 , "ok" : true , "note" : null } } "#,
            #"{"status":"down","device":"Ä-Kamera","at":null,"latency_ms":null,"reason":null,"metrics":null}"#,
            #"{"device":"X","status":"up","metrics":{}}"#,
        ]
        for line in lines {
            let fast = try #require(Self.fast(line), "declined: \(line)")
            let slow = try Self.slow(line)
            #expect(fast.device == slow.device)
            #expect(fast.at == slow.at)
            #expect(fast.status == slow.status)
            #expect(fast.latencyMs == slow.latencyMs)
            #expect(fast.reason == slow.reason)
            #expect(fast.metrics == nil)
            let reparsed = try fast.metricsText.map { try JSONDecoder().decode([String: JSONValue].self, from: Data($0.utf8)) }
            #expect(reparsed == slow.metrics)
        }
        #expect(Self.fast(lines[0])?.metricsText == #"{"fps":25,"bitrate_kbps":2100}"#)
    }

    @Test(
        "anything unusual is left to JSONDecoder",
        arguments: [
            #"{"device":"A\"B","status":"up"}"#,  // an escape
            #"{"device":"A","status":"up","extra":1}"#,  // an unknown field
            #"{"device":"A","status":"up","status":"down"}"#,  // a repeated field
            #"{"device":"A","status":"up","metrics":{"a":{"b":1}}}"#,  // nested metrics
            #"{"device":"A","status":"up","metrics":{"a":1,"a":2}}"#,  // a repeated metric
            #"{"device":"A","status":"up","metrics":[1]}"#,  // metrics not an object
            #"{"device":5,"status":"up"}"#,  // wrong type
            #"{"device":"A","status":"up","latency_ms":"5"}"#,
            #"{"device":"A","status":"up","latency_ms":1e999}"#,  // out of range
            #"{"device":"A","status":"up","latency_ms":01}"#,  // not a JSON number
            #"{"device":"A","status":"up","latency_ms":NaN}"#,
            #"{"device":"A"}"#,  // missing status
            #"{"device":"A","status":"up"} x"#,  // trailing text
            #"{"device":"A","status":"up",}"#,  // trailing comma
            #"{"device":"A","status":"up""#,  // truncated
            #"[{"device":"A","status":"up"}]"#,
            "{\"device\":\"A\tB\",\"status\":\"up\"}",  // a raw control character
        ])
    func declines(line: String) {
        #expect(Self.fast(line) == nil)
    }

    @Test("invalid UTF-8 is declined, and NDJSON decoding still reads such lines the slow way")
    func fallsBack() {
        var bytes = Array(#"{"device":"A"#.utf8)
        bytes += [0xC3, 0x28]
        bytes += Array(#"","status":"up"}"#.utf8)
        #expect(bytes.withUnsafeBytes { PingFastDecoder.decode($0) } == nil)
        let body = Data((#"{"device":"A\u0042","status":"up"}"# + "\n" + #"{"device":"C","status":"up","metrics":{"fps":25}}"#).utf8)
        let results = BatchDecoder.decodePingLines(body)
        #expect(results.count == 2)
        #expect((try? results[0].get())?.device == "AB")
        #expect((try? results[1].get())?.metricsText == #"{"fps":25}"#)
    }
}

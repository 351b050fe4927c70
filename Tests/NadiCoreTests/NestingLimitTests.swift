import Foundation
import NadiCore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Deep nesting is refused at the cost of reading it once")
struct NestingLimitTests {
    static func nested(_ depth: Int) -> String {
        String(repeating: "{\"a\":", count: depth) + "1" + String(repeating: "}", count: depth)
    }

    static func ping(_ index: Int, metrics: String) -> String {
        #"{"device":"CAM-\#(index)","at":"2026-11-22T10:00:00Z","status":"up","metrics":\#(metrics)}"#
    }

    @Test("a too-deep record is refused with its index; the records around it are decoded, in both decoders and array paths")
    func refusedByIndex() throws {
        let records = [Self.ping(0, metrics: #"{"rx":1}"#), Self.ping(1, metrics: Self.nested(511)), Self.ping(2, metrics: #"{"rx":2}"#)]
        let array = Data(("[" + records.joined(separator: ",") + "]").utf8)
        let lines = Data(records.joined(separator: "\n").utf8)
        for results in [
            try BatchDecoder.decodeArray(PingInput.self, array), try BatchDecoder.decodePingArray(array),
            BatchDecoder.decodePingLines(lines), BatchDecoder.decodeLines(PingInput.self, lines),
        ] {
            #expect(results.count == 3)
            #expect((try? results[0].get()) != nil && (try? results[2].get()) != nil)
            guard case .failure(let problem) = results[1] else {
                Issue.record("the deep record was accepted")
                continue
            }
            #expect(problem.description.contains("levels deep"), "\(problem)")
        }
    }

    @Test("a deep body that is not a plain array is refused as a whole, saying why")
    func deepAndMalformed() {
        let body = Data(("[" + String(repeating: "[", count: 100_000) + "]").utf8)
        #expect(throws: BatchDecoder.SyntaxError.self) { try BatchDecoder.decodeArray(PingInput.self, body) }
    }

    /// CPU seconds this thread spends decoding `body` as a JSON array of pings (the ingest path).
    /// CPU time, not wall time: the suite runs many tests at once, and a wall clock would measure
    /// them too.
    static func seconds(_ body: Data) -> Double {
        func now() -> Double {
            var spec = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
            return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
        }
        let start = now()
        _ = try? BatchDecoder.decodePingArray(body)
        return now() - start
    }

    static func body(of size: Int, _ record: (Int) -> String) -> Data {
        var text = "["
        var index = 0
        while text.utf8.count < size {
            if index > 0 { text += "," }
            text += record(index)
            index += 1
        }
        return Data((text + "]").utf8)
    }

    /// The issue's measure: a 16 MB body of the worst shape costs about what 16 MB of honest pings
    /// cost (before: a 3 KB record of 511 levels took 0.85 s, so 16 MB of them hours). Honest
    /// pings here carry a nested metrics object, so they take the general decoder, as deep ones do.
    @Test("16 MB of the worst shapes are refused in about the time 16 MB of honest pings take")
    func linearCost() {
        let size = 16 << 20
        let honest = Self.body(of: size) { Self.ping($0, metrics: #"{"if":{"rx_dbm":-17.2,"tx_dbm":1.5}}"#) }
        let deepRecords = Self.body(of: size) { Self.ping($0, metrics: Self.nested(511)) }
        let atTheLimit = Self.body(of: size) { Self.ping($0, metrics: Self.nested(BatchDecoder.maxDepth(PingInput.self) - 1)) }
        let oneDeepArray = Data(("[" + String(repeating: "[", count: size / 2) + String(repeating: "]", count: size / 2) + "]").utf8)
        let reference = Self.seconds(honest)
        // The worst shapes are refused by the scan, before any decoder: cheaper than honest pings.
        for (name, body) in [("511-level records", deepRecords), ("one deep array", oneDeepArray)] {
            let cost = Self.seconds(body)
            print("nesting cost \(name): \(cost) s; honest \(reference) s")
            #expect(cost < reference + 0.5, "\(name): \(cost) s against \(reference) s for honest pings")
        }
        // The deepest ping still allowed goes through the decoder: more structure per byte, still linear.
        let limit = Self.seconds(atTheLimit)
        print("nesting cost records at the limit: \(limit) s; honest \(reference) s")
        #expect(limit < 4 * reference + 0.5, "records at the limit: \(limit) s against \(reference) s for honest pings")
    }
}
